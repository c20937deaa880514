#include "gateway/guard_request.h"

#include <cstring>

#include "gateway/guard_walk.h"

namespace airlock::gateway {

bool guard_request(const Endpoint& ep, nlohmann::ordered_json& body, const guardrails::Engine& engine,
                   const guardrails::KeyOverride& key, guardrails::Tally& tally) {
  auto caps = engine.policy().caps.with(key.caps);
  bool idle = engine.idle(guardrails::Direction::kRequest, key);
  if (idle && !caps.any()) return true;
  GuardWalk<nlohmann::ordered_json> w{engine, key, tally};
  w.scan = !idle;
  w.count_caps = caps.max_urls || caps.max_phones;
  if (&ep == &kChat || std::strcmp(ep.name, kChat.name) == 0) {
    w.chat(body);
  } else if (std::strcmp(ep.name, kCompletions.name) == 0) {
    w.text_or_list(w.field(body, "prompt"));
    w.text(w.field(body, "suffix"));
  } else if (std::strcmp(ep.name, kEmbeddings.name) == 0) {
    w.text_or_list(w.field(body, "input"));
  } else if (std::strcmp(ep.name, kMessages.name) == 0 || std::strcmp(ep.name, kCountTokens.name) == 0) {
    w.messages(body);
  } else if (std::strcmp(ep.scope, "responses") == 0) {
    w.responses_request(body);
  }
  if (!w.ok) return false;
  if (caps.max_chars && tally.chars > static_cast<std::uint64_t>(*caps.max_chars)) tally.over_cap = "max_chars";
  else if (caps.max_urls && tally.urls > *caps.max_urls) tally.over_cap = "max_urls";
  else if (caps.max_phones && tally.phones > *caps.max_phones) tally.over_cap = "max_phones";
  return !tally.over_cap;
}

bool guard_response(Dialect d, nlohmann::json& body, const guardrails::Engine& engine, const guardrails::KeyOverride& key,
                    guardrails::Tally& tally) {
  if (engine.idle(guardrails::Direction::kResponse, key)) return true;
  GuardWalk<nlohmann::json> w{engine, key, tally, guardrails::Direction::kResponse};
  if (d == Dialect::kAnthropic) w.anthropic_content(w.field(body, "content"));
  else if (w.field(body, "output")) w.responses_answer(body);  // a Responses API object
  else w.choices(body);
  return w.ok;
}

}  // namespace airlock::gateway
