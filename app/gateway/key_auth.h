#pragma once
// The first step of every /v1 request: the caller's gateway key (Authorization: Bearer, or
// x-api-key as Anthropic's SDKs send it), checked by gateway::authenticate, and the endpoint's scope.
// A refusal comes back as the response to send, in the caller's dialect.
#include <string_view>
#include <variant>

#include "gateway/dialect.h"
#include "gateway/keys.h"
#include "http/message.h"

namespace airlock::gateway {

std::variant<store::GatewayKeyRow, http::Response> authorize_key(Deps& deps, const http::Request& req, Dialect dialect,
                                                                 std::string_view scope);

// Audits a refusal of an authenticated key (ASVS V16.3.2) through deps.denials, without waiting on
// the store: safe on the event loop. `name` may be empty when the row is not at hand.
void record_key_denial(Deps& deps, const http::Request& req, std::string_view public_id, std::string_view name,
                       std::string_view reason);

}  // namespace airlock::gateway
