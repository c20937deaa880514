#pragma once
// The fields of a /v1 request body that Airlock itself reads or will read (model, token caps,
// choices, streaming, and the shape of the prompt), each checked for its type and range before
// anything uses it. A wrong type is a 400 naming the field, never an exception: nlohmann's get<>
// and value() throw on a wrong type, and one uncaught throw on the event loop once ended the
// process. null counts as absent, as vendors treat it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "gateway/endpoint.h"

namespace airlock::gateway {

// Bounds on what a client may ask for; beyond them a request is refused, never clamped.
inline constexpr std::int64_t kMaxTokensLimit = (std::int64_t{1} << 31) - 1;
inline constexpr std::int64_t kMaxChoices = 128;  // OpenAI's own limit on n
inline constexpr std::int64_t kMaxBestOf = 20;

struct RequestFields {
  std::string model;
  // max_tokens and max_completion_tokens as sent (OpenAI: either or both; Anthropic: max_tokens).
  std::optional<std::int64_t> max_tokens;
  std::optional<std::int64_t> max_completion_tokens;
  std::optional<std::int64_t> max_output_tokens;  // the Responses API's name for it
  std::int64_t choices = 1;      // completions generated per request: max(n, best_of)
  bool stream = false;           // asked for, and the endpoint can stream
  bool include_usage = false;    // stream_options.include_usage as the client sent it
  // The largest generation the request allows, if it names one.
  std::optional<std::int64_t> generation_cap() const;
};

struct FieldProblem {
  std::string code;     // invalid_request | model_required
  std::string param;    // the field, dotted for nested ones ("stream_options.include_usage")
  std::string message;
};

std::variant<RequestFields, FieldProblem> read_request_fields(const Endpoint& ep, const nlohmann::ordered_json& body);

}  // namespace airlock::gateway
