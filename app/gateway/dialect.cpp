#include "gateway/dialect.h"

#include "http/error_catalogue.h"

namespace airlock::gateway {
namespace {

std::string_view openai_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string_view anthropic_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503: return "overloaded_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

}  // namespace

std::int64_t usage_count(const nlohmann::json& o, const char* key) {
  constexpr std::int64_t kMax = std::int64_t{1} << 31;
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->is_number_unsigned()) return static_cast<std::int64_t>(std::min<std::uint64_t>(it->get<std::uint64_t>(), kMax));
  if (it->is_number_integer()) return core::clamp64(it->get<std::int64_t>(), 0, kMax);
  return 0;
}

http::Response dialect_error(Dialect d, std::string_view code, std::string_view message,
                             const http::Request& req, std::int64_t retry_after_s, bool retry, std::string_view param) {
  int status = http::status_for_code(code);
  if (status == 500) {
    code = "internal_error";
    message = "Airlock failed to handle the request.";
  }
  nlohmann::json body;
  if (d == Dialect::kAnthropic) {
    body = {{"type", "error"}, {"error", {{"type", anthropic_type(status)}, {"message", message}}}};
  } else {
    body = {{"error", {{"message", message}, {"type", openai_type(status)}, {"param", param.empty() ? nlohmann::json(nullptr) : nlohmann::json(param)},
                        {"code", code}}}};
  }
  http::Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (d == Dialect::kAnthropic) r.set_header("request-id", req.request_id);
  if (retry_after_s > 0) r.set_header("Retry-After", std::to_string(retry_after_s));
  if (!retry) r.set_header("x-should-retry", "false");
  return r;
}

Usage usage_from_body(Dialect d, const nlohmann::json& body) {
  Usage u;
  if (!body.is_object()) return u;
  auto it = body.find("usage");
  if (it == body.end() || !it->is_object()) return u;
  if (d == Dialect::kAnthropic) {
    u.prompt_tokens = core::sat_add(usage_count(*it, "input_tokens"),
                                    core::sat_add(usage_count(*it, "cache_creation_input_tokens"),
                                                  usage_count(*it, "cache_read_input_tokens")));
    u.completion_tokens = usage_count(*it, "output_tokens");
  } else if (it->contains("input_tokens") && !it->contains("prompt_tokens")) {
    // The Responses API: input_tokens (cached ones included) and output_tokens.
    u.prompt_tokens = usage_count(*it, "input_tokens");
    u.completion_tokens = usage_count(*it, "output_tokens");
  } else {
    u.prompt_tokens = usage_count(*it, "prompt_tokens");
    u.completion_tokens = usage_count(*it, "completion_tokens");
    // Embeddings report only prompt and total tokens.
    if (!it->contains("completion_tokens") && it->contains("total_tokens"))
      u.completion_tokens = std::max<std::int64_t>(0, usage_count(*it, "total_tokens") - u.prompt_tokens);
  }
  u.known = true;
  return u;
}

}  // namespace airlock::gateway
