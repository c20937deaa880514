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

}  // namespace airlock::gateway
