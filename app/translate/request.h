#pragma once
// Requests between the two dialects, so any client can reach any model: an OpenAI Chat Completions
// request for an Anthropic-type provider (OpenAI SDK → Claude) and an Anthropic Messages request for
// an OpenAI-type provider (Claude Code → vLLM, Ollama, OpenAI). Pure functions of a body that was
// already read with bounded depth and size (http/json_read.h).
//
// What has a meaning on the other side is carried over (system prompts, text and base64 or URL
// images, tools, tool calls and results, tool_choice, stop sequences, sampling, streaming, the end
// user). What does not is refused naming the field (Problem), never dropped: a request must not
// quietly mean something else upstream. Hints without effect on the answer (Anthropic's
// cache_control, OpenAI's seed, store, service_tier, metadata) are dropped; the README lists them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace airlock::translate {

using Json = nlohmann::ordered_json;

struct Problem {
  std::string param;    // the field, dotted ("messages[2].content[0].type")
  std::string message;  // for the client
};

// Anthropic requires max_tokens; an OpenAI request that names none gets this.
inline constexpr std::int64_t kDefaultMaxTokens = 4096;

// OpenAI chat request → Anthropic messages request.
std::variant<Json, Problem> chat_to_messages(const Json& chat);

struct ChatOptions {
  bool reasoning_model = false;  // send max_completion_tokens (OpenAI's reasoning models refuse max_tokens)
};
// Anthropic messages request → OpenAI chat request. A stream asks for the usage chunk.
std::variant<Json, Problem> messages_to_chat(const Json& messages, const ChatOptions& options = {});

}  // namespace airlock::translate
