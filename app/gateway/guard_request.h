#pragma once
// Guardrails on what a request sends upstream: every piece of text the vendor will read, per
// endpoint, goes through the engine (guardrails/engine.h) in place.
//   chat.completions: messages[].content (a string, or the "text" of text parts), .name, .refusal,
//     .tool_calls[].function.arguments, .function_call.arguments
//   completions: prompt (a string or a list of strings), suffix
//   embeddings: input (a string or a list of strings; token arrays carry no text)
//   messages: system (a string or text blocks), messages[].content (a string, or text blocks,
//     tool_result content, every string inside tool_use input)
// Images, audio, files and signed thinking blocks are passed as they are. Whole answers the same
// way: choices[].message (content, refusal, tool-call arguments) and choices[].text for OpenAI,
// content blocks for Anthropic.
#include <nlohmann/json.hpp>

#include "gateway/dialect.h"
#include "gateway/endpoint.h"
#include "guardrails/engine.h"

namespace airlock::gateway {

// Also holds the text to the input caps (the policy's, with the key's on top). False when a block
// action hit (tally.blocked_by names it) or a cap was passed (tally.over_cap); the body may then be
// half-masked and must not be sent.
bool guard_request(const Endpoint& ep, nlohmann::ordered_json& body, const guardrails::Engine& engine,
                   const guardrails::KeyOverride& key, guardrails::Tally& tally);

// The same for a whole answer, under the policy's response side.
bool guard_response(Dialect d, nlohmann::json& body, const guardrails::Engine& engine, const guardrails::KeyOverride& key,
                    guardrails::Tally& tally);

}  // namespace airlock::gateway
