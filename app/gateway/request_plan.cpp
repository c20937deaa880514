#include "gateway/request_plan.h"

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "core/checked.h"

namespace airlock::gateway {

std::optional<FieldProblem> hold_to_key_cap(const Endpoint& ep, const store::GatewayKeyLimits& limits,
                                            RequestFields& fields, nlohmann::ordered_json& body) {
  auto cap = limits.max_tokens_cap;
  if (!cap || !ep.metered) return std::nullopt;  // nothing is generated, and the vendor refuses the field
  for (auto [field, value] : {std::pair{"max_tokens", fields.max_tokens},
                              std::pair{"max_completion_tokens", fields.max_completion_tokens},
                              std::pair{"max_output_tokens", fields.max_output_tokens}})
    if (value && *value > *cap)
      return FieldProblem{"max_tokens_too_large", field,
                          std::string(field) + " may be at most " + std::to_string(*cap) + " for this key."};
  if (!fields.generation_cap()) {
    bool responses = std::string_view(ep.scope) == "responses";
    const char* field = responses ? "max_output_tokens"
                        : ep.dialect == Dialect::kOpenAI && body.contains("max_completion_tokens") ? "max_completion_tokens"
                                                                                                    : "max_tokens";
    // A key's cap may be up to 10^12 (keys.cpp); what goes upstream stays within what a client may ask.
    const std::int64_t given = std::clamp<std::int64_t>(*cap, 1, kMaxTokensLimit);
    body[field] = given;
    fields.max_tokens = given;
  }
  return std::nullopt;
}

bool ask_for_stream_usage(const Endpoint& ep, const RequestFields& fields, nlohmann::ordered_json& body) {
  // Responses streams always end with their usage (response.completed).
  if (!fields.stream || ep.dialect != Dialect::kOpenAI || fields.include_usage || std::string_view(ep.scope) == "responses")
    return false;
  auto& so = body["stream_options"];
  if (!so.is_object()) so = nlohmann::ordered_json::object();
  so["include_usage"] = true;
  return true;
}

std::int64_t token_estimate(const Endpoint& ep, const RequestFields& fields, std::size_t body_bytes) {
  if (!ep.metered) return 0;
  // Every bound in request_fields.h keeps this far from overflow (2^31 × 128); saturating all the same.
  std::int64_t generated = std::string_view(ep.scope) == "embeddings"
                               ? 0
                               : core::sat_mul(fields.generation_cap().value_or(kDefaultMaxTokens), fields.choices);
  auto prompt = static_cast<std::int64_t>(std::min<std::size_t>(body_bytes / 4, std::numeric_limits<std::int64_t>::max()));
  return core::sat_add(prompt, generated);
}

}  // namespace airlock::gateway
