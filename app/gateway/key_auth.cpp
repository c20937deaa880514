#include "gateway/key_auth.h"

#include <algorithm>
#include <string>

namespace airlock::gateway {
namespace {

std::optional<std::string_view> presented_key(const http::Request& req) {
  if (auto* a = req.header("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (a->size() > kBearer.size() && a->substr(0, kBearer.size()) == kBearer) return a->substr(kBearer.size());
    return std::string_view();  // some other scheme: never accepted
  }
  if (auto* k = req.header("x-api-key")) return *k;
  return std::nullopt;
}

}  // namespace

std::variant<store::GatewayKeyRow, http::Response> authorize_key(Deps& deps, const http::Request& req, Dialect dialect,
                                                                 std::string_view scope) {
  auto err = [&](int status, std::string_view code, std::string_view message, std::int64_t retry_after = 0) {
    return dialect_error(dialect, status, code, message, req, retry_after);
  };
  auto presented = presented_key(req);
  if (!presented) return err(401, "missing_api_key", "Send your Airlock key as Authorization: Bearer alk_… or x-api-key.");
  auto key = authenticate(deps, *presented, req.client_ip);
  if (!key) {
    const auto& c = key.status().code();
    if (c == "ip_not_allowed") return err(403, c, key.status().message());
    if (c == "invalid_api_key") return err(401, c, key.status().message());
    return err(503, "unavailable", "The key could not be checked; try again.", 1);
  }
  if (std::find(key->scopes.begin(), key->scopes.end(), scope) == key->scopes.end())
    return err(403, "scope_not_allowed", "This key may not use the " + std::string(scope) + " endpoints.");
  return std::move(*key);
}

}  // namespace airlock::gateway
