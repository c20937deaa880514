#include "gateway/key_auth.h"

#include <algorithm>
#include <string>

#include "audit/denials.h"
#include "gateway/key_cache.h"
#include "gateway/key_format.h"

namespace airlock::gateway {
namespace {

constexpr std::string_view kBearer = "Bearer ";

// A repeated credential header, or two that disagree, is refused outright (ASVS V15.3.7): which
// copy "wins" is exactly where a gateway and whatever sits in front of it could differ.
bool ambiguous(const http::Request& req) {
  int authorization = 0, api_key = 0;
  std::string_view bearer, key;
  for (const auto& [name, value] : req.headers) {
    if (http::iequals(name, "Authorization")) {
      ++authorization;
      if (value.size() > kBearer.size() && value.substr(0, kBearer.size()) == kBearer) bearer = value.substr(kBearer.size());
    } else if (http::iequals(name, "x-api-key")) {
      ++api_key;
      key = value;
    }
  }
  if (authorization > 1 || api_key > 1) return true;
  return authorization == 1 && api_key == 1 && bearer != key;
}

std::optional<std::string_view> presented_key(const http::Request& req) {
  if (auto* a = req.header("Authorization")) {
    if (a->size() > kBearer.size() && a->substr(0, kBearer.size()) == kBearer) return a->substr(kBearer.size());
    return std::string_view();  // some other scheme: never accepted
  }
  if (auto* k = req.header("x-api-key")) return *k;
  return std::nullopt;
}

// The route pattern of a /v1 request (gateway/routes.cpp): the only pattern with a parameter is
// the model lookup; the raw path is never recorded.
std::string route_of(const http::Request& req) {
  if (req.path.rfind("/v1/models/", 0) == 0) return "/v1/models/{model_id...}";
  if (req.path == "/v1/responses" || req.path == "/v1/responses/input_tokens") return std::string(req.path);
  if (req.path.rfind("/v1/responses/", 0) == 0) {
    if (req.path.size() > 7 && req.path.substr(req.path.size() - 7) == "/cancel") return "/v1/responses/{response_id}/cancel";
    if (req.path.size() > 12 && req.path.substr(req.path.size() - 12) == "/input_items") return "/v1/responses/{response_id}/input_items";
    return "/v1/responses/{response_id}";
  }
  for (std::string_view fixed : {"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models", "/v1/messages",
                                "/v1/messages/count_tokens"})
    if (req.path == fixed) return std::string(fixed);
  return "(unknown)";
}

}  // namespace

audit::Denial key_denial(const http::Request& req, std::string_view public_id, std::string_view name,
                         std::string_view reason) {
  audit::Denial d;
  d.actor_kind = "key";
  d.actor_id = std::string(public_id);
  d.actor_display = name.empty() ? std::string() : "key:" + std::string(name);
  d.method = std::string(req.method);
  d.route = route_of(req);
  d.reason = std::string(reason);
  d.request_id = req.request_id;
  d.ip = req.client_ip;
  if (auto* ua = req.header("User-Agent")) d.user_agent = std::string(ua->substr(0, 256));
  return d;
}

void record_key_denial(Deps& deps, const http::Request& req, std::string_view public_id, std::string_view name,
                       std::string_view reason) {
  if (deps.denials) deps.denials->record(key_denial(req, public_id, name, reason));
}

std::variant<KeyCtx, http::Response> authorize_key(Deps& deps, const http::Request& req, Dialect dialect,
                                                   std::string_view scope) {
  auto err = [&](std::string_view code, std::string_view message, std::int64_t retry_after = 0) {
    return dialect_error(dialect, code, message, req, retry_after);
  };
  if (ambiguous(req))
    return err("ambiguous_credentials", "Send one key, in Authorization: Bearer or in x-api-key, once.");
  auto presented = presented_key(req);
  if (!presented) return err("missing_api_key", "Send your Airlock key as Authorization: Bearer alk_… or x-api-key.");
  auto key = authenticate(deps, *presented, req.client_ip);
  if (!key) {
    const auto& c = key.status().code();
    if (c == "ip_not_allowed" || c == "rotated_secret") {
      // authenticate() says either only after a secret of the key matched, so the id is the caller's own.
      if (deps.denials) {
        auto public_id = gateway_key_public_id(*presented).value_or("");
        std::string name;
        // The row authenticate() just read is in the cache; no SQL.
        if (deps.keys)
          if (auto row = deps.keys->find(public_id); row && *row) name = (*row)->name;
        record_key_denial(deps, req, public_id, name, c);
      }
      // A replaced secret gets the answer any invalid key gets; only the audit log says more.
      return err(c == "rotated_secret" ? "invalid_api_key" : c, key.status().message());
    }
    if (c == "invalid_api_key") return err(c, key.status().message());
    return err("unavailable", "The key could not be checked; try again.", 1);
  }
  if (std::find(key->scopes.begin(), key->scopes.end(), scope) == key->scopes.end()) {
    record_key_denial(deps, req, key->public_id, key->name, "scope_not_allowed");
    return err("scope_not_allowed", "This key may not use the " + std::string(scope) + " endpoints.");
  }
  return KeyCtx(std::move(*key));
}

}  // namespace airlock::gateway
