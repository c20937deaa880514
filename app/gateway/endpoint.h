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
};

inline constexpr Endpoint kChat{"chat.completions", "chat", Dialect::kOpenAI, "/chat/completions", true};
inline constexpr Endpoint kCompletions{"completions", "completions", Dialect::kOpenAI, "/completions", true};
inline constexpr Endpoint kEmbeddings{"embeddings", "embeddings", Dialect::kOpenAI, "/embeddings", false};
// Anthropic base URLs are the host (https://api.anthropic.com), as in Anthropic's SDKs.
inline constexpr Endpoint kMessages{"messages", "chat", Dialect::kAnthropic, "/v1/messages", true};

}  // namespace airlock::gateway
