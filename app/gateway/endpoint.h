#pragma once
// The /v1 endpoints Airlock proxies: what each is called in usage records, the key scope it needs,
// the dialect it speaks, and where it goes upstream.
#include "gateway/dialect.h"

namespace airlock::gateway {

struct Endpoint {
  const char* name;           // "chat.completions", for usage records
  const char* scope;          // chat | completions | embeddings | models
  Dialect dialect;
  const char* upstream_path;  // appended to the provider's base URL
  bool streamable;
  // Whether its tokens count against the key's tpm and token budget; count_tokens generates
  // nothing and is only rate limited.
  bool metered = true;
  // Where the request goes when the target's provider speaks the other dialect (translate/):
  // chat completions ⇄ messages. nullptr: this endpoint is served in its own dialect only.
  const char* translated_path = nullptr;
  const char* method = "POST";
};

inline constexpr Endpoint kChat{"chat.completions", "chat", Dialect::kOpenAI, "/chat/completions", true, true, "/v1/messages"};
inline constexpr Endpoint kCompletions{"completions", "completions", Dialect::kOpenAI, "/completions", true};
inline constexpr Endpoint kEmbeddings{"embeddings", "embeddings", Dialect::kOpenAI, "/embeddings", false};
// Anthropic base URLs are the host (https://api.anthropic.com), as in Anthropic's SDKs.
inline constexpr Endpoint kMessages{"messages", "chat", Dialect::kAnthropic, "/v1/messages", true, true, "/chat/completions"};
// The Responses API, served by OpenAI-type providers as they are. A stored response belongs to the
// key that created it (gateway/response_ids.h); the by-id calls reach the provider that holds it,
// their path made from the request (upstream_path is its start).
// A provider that serves only chat (serves_responses false) gets the stateless subset translated.
inline constexpr Endpoint kResponses{"responses", "responses", Dialect::kOpenAI, "/responses", true, true, "/chat/completions"};
inline constexpr Endpoint kResponseInputTokens{"responses.input_tokens", "responses", Dialect::kOpenAI,
                                               "/responses/input_tokens", false, false};
inline constexpr Endpoint kResponseGet{"responses.get", "responses", Dialect::kOpenAI, "/responses/", false, false, nullptr, "GET"};
inline constexpr Endpoint kResponseDelete{"responses.delete", "responses", Dialect::kOpenAI, "/responses/", false, false, nullptr,
                                          "DELETE"};
inline constexpr Endpoint kResponseCancel{"responses.cancel", "responses", Dialect::kOpenAI, "/responses/", false, false};
inline constexpr Endpoint kResponseInputItems{"responses.input_items", "responses", Dialect::kOpenAI, "/responses/", false, false,
                                              nullptr, "GET"};
// Served by Anthropic-type providers only: an OpenAI-type target has no such call, and a guess at
// its tokenizer would be a number the caller cannot trust (README: count_tokens).
inline constexpr Endpoint kCountTokens{"messages.count_tokens", "chat", Dialect::kAnthropic, "/v1/messages/count_tokens",
                                       false, false};

}  // namespace airlock::gateway
