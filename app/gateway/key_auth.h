#pragma once
// The first step of every /v1 request: the caller's gateway key (Authorization: Bearer, or
// x-api-key as Anthropic's SDKs send it), checked by gateway::authenticate, and the endpoint's scope.
// A refusal comes back as the response to send, in the caller's dialect.
#include <string_view>
#include <variant>

#include "audit/denials.h"

#include "gateway/dialect.h"
#include "gateway/keys.h"
#include "http/message.h"

namespace airlock::gateway {

class KeyCtx;
std::variant<KeyCtx, http::Response> authorize_key(Deps& deps, const http::Request& req, Dialect dialect,
                                                   std::string_view scope);

// What a /v1 handler receives instead of a bare request: proof that the caller's gateway key was
// authenticated and holds the endpoint's scope. Only authorize_key() can make one, so a handler
// that takes a KeyCtx cannot run for an unauthenticated caller (as guard::RoleCtx for the console).
class KeyCtx {
 public:
  const store::GatewayKeyRow& key() const { return key_; }

 private:
  friend std::variant<KeyCtx, http::Response> authorize_key(Deps&, const http::Request&, Dialect, std::string_view);
  explicit KeyCtx(store::GatewayKeyRow key) : key_(std::move(key)) {}
  store::GatewayKeyRow key_;
};

// Audits a refusal of an authenticated key (ASVS V16.3.2) through deps.denials, without waiting on
// the store: safe on the event loop. `name` may be empty when the row is not at hand.
void record_key_denial(Deps& deps, const http::Request& req, std::string_view public_id, std::string_view name,
                       std::string_view reason);
// The same denial, built now and recorded later (a guardrail block found once the answer arrives).
audit::Denial key_denial(const http::Request& req, std::string_view public_id, std::string_view name,
                         std::string_view reason);

}  // namespace airlock::gateway
