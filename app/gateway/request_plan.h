#pragma once
// What admission makes of a request once its fields are read (request_fields.h), before the limits
// see it: the key's cap on generated tokens, the stream usage Airlock needs to settle, and the
// estimate it reserves. Pure functions of the body and the key, so the fuzz target
// (tests/fuzz/admission.cpp) runs them with a fake key exactly as the gateway does.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "gateway/endpoint.h"
#include "gateway/request_fields.h"
#include "store/gateway_keys_repo.h"

namespace airlock::gateway {

inline constexpr std::int64_t kDefaultMaxTokens = 1024;  // the estimate when a request names none

// Holds every field that can ask for more generated tokens to the key's cap: one above it is a
// 400 max_tokens_too_large naming the field; a request that names none is given the cap, at most
// kMaxTokensLimit (in the body that goes upstream, and in `fields`).
std::optional<FieldProblem> hold_to_key_cap(const Endpoint& ep, const store::GatewayKeyLimits& limits,
                                            RequestFields& fields, nlohmann::ordered_json& body);

// A streamed OpenAI request reports usage only when asked (stream_options.include_usage): Airlock
// asks for it when the client did not, and returns true, meaning the usage-only chunk that comes
// back is the relay's to drop.
bool ask_for_stream_usage(const Endpoint& ep, const RequestFields& fields, nlohmann::ordered_json& body);

// The tokens a request may cost at most, reserved before it goes upstream: prompt bytes / 4 plus
// the generation it allows (or kDefaultMaxTokens) times its choices. Saturating, never negative.
std::int64_t token_estimate(const Endpoint& ep, const RequestFields& fields, std::size_t body_bytes);

}  // namespace airlock::gateway
