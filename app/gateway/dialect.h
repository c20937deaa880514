#pragma once
// The two API dialects clients speak, and what differs between them: the error shape, the auth
// header, and where usage is reported.
//   OpenAI:    {"error":{"message","type","param","code"}}
//   Anthropic: {"type":"error","error":{"type","message"}}
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/checked.h"
#include "http/message.h"

namespace airlock::gateway {

enum class Dialect { kOpenAI, kAnthropic };

// An error in the caller's dialect with a stable `code`, the status the error catalogue gives it
// (http/error_catalogue.h; a code not there is a 500 internal_error with a generic message), and
// a message for the client. `retry_after_s` > 0 adds Retry-After (seconds); `retry` false adds
// x-should-retry: false (the official SDKs would otherwise retry a 429 or 5xx on their own).
// `param` names the field at fault (OpenAI's "param"; null when empty).
http::Response dialect_error(Dialect d, std::string_view code, std::string_view message,
                             const http::Request& req, std::int64_t retry_after_s = 0, bool retry = true,
                             std::string_view param = {});

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total() const { return core::sat_add(prompt_tokens, completion_tokens); }
  bool known = false;
};

// Usage from a whole (non-stream) response body: OpenAI "usage":{prompt_tokens, completion_tokens}
// (embeddings report prompt and total only; the Responses API input_tokens and output_tokens),
// Anthropic "usage":{input_tokens, output_tokens}.
Usage usage_from_body(Dialect d, const nlohmann::json& body);

// One token count an upstream reported, as a number we can add up: a non-integer or negative is 0,
// and anything above 2^31 counts as 2^31 (no real request comes near; a hostile upstream's 2^62
// must not wrap a budget or overflow a SUM in the store).
std::int64_t usage_count(const nlohmann::json& obj, const char* key);

}  // namespace airlock::gateway
