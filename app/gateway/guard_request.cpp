#include "gateway/guard_request.h"

#include <cstring>

namespace airlock::gateway {
namespace {

using nlohmann::ordered_json;

struct Walk {
  const guardrails::Engine& engine;
  const guardrails::KeyOverride& key;
  guardrails::Tally& tally;
  bool ok = true;

  ordered_json* field(ordered_json& o, const char* name) {
    if (!o.is_object()) return nullptr;
    auto it = o.find(name);
    return it == o.end() ? nullptr : &*it;
  }
  void text(ordered_json* v) {
    if (!ok || !v || !v->is_string()) return;
    ok = engine.apply(v->get_ref<std::string&>(), guardrails::Direction::kRequest, key, tally);
  }
  // A string, or a list whose strings are texts (prompt, input).
  void text_or_list(ordered_json* v) {
    if (!v) return;
    if (v->is_string()) return text(v);
    if (v->is_array())
      for (auto& x : *v) text(&x);
  }
  // Every string anywhere inside (tool_use input). Depth is bounded by the strict parser.
  void all_strings(ordered_json& v) {
    if (!ok) return;
    if (v.is_string()) return text(&v);
    if (v.is_array() || v.is_object())
      for (auto& x : v) all_strings(x);
  }
  bool has_type(ordered_json& part, const char* type) {
    auto* t = field(part, "type");
    return t && t->is_string() && t->get_ref<const std::string&>() == type;
  }
  // OpenAI content: a string, or parts of which "text" ones carry text.
  void openai_content(ordered_json* c) {
    if (!c) return;
    if (c->is_string()) return text(c);
    if (!c->is_array()) return;
    for (auto& part : *c)
      if (has_type(part, "text")) text(field(part, "text"));
  }
  // Anthropic content: a string, or blocks.
  void anthropic_content(ordered_json* c) {
    if (!c) return;
    if (c->is_string()) return text(c);
    if (!c->is_array()) return;
    for (auto& block : *c) {
      if (has_type(block, "text")) text(field(block, "text"));
      else if (has_type(block, "tool_result")) anthropic_content(field(block, "content"));
      else if (has_type(block, "tool_use")) {
        if (auto* in = field(block, "input")) all_strings(*in);
      }
    }
  }
  void chat(ordered_json& body) {
    auto* msgs = field(body, "messages");
    if (!msgs || !msgs->is_array()) return;
    for (auto& m : *msgs) {
      openai_content(field(m, "content"));
      text(field(m, "name"));
      text(field(m, "refusal"));
      if (auto* calls = field(m, "tool_calls"); calls && calls->is_array())
        for (auto& call : *calls)
          if (auto* fn = field(call, "function")) text(field(*fn, "arguments"));
      if (auto* fc = field(m, "function_call")) text(field(*fc, "arguments"));
    }
  }
  void messages(ordered_json& body) {
    anthropic_content(field(body, "system"));
    auto* msgs = field(body, "messages");
    if (!msgs || !msgs->is_array()) return;
    for (auto& m : *msgs) anthropic_content(field(m, "content"));
  }
};

}  // namespace

bool guard_request(const Endpoint& ep, nlohmann::ordered_json& body, const guardrails::Engine& engine,
                   const guardrails::KeyOverride& key, guardrails::Tally& tally) {
  if (engine.idle(guardrails::Direction::kRequest, key)) return true;
  Walk w{engine, key, tally};
  if (&ep == &kChat || std::strcmp(ep.name, kChat.name) == 0) {
    w.chat(body);
  } else if (std::strcmp(ep.name, kCompletions.name) == 0) {
    w.text_or_list(w.field(body, "prompt"));
    w.text(w.field(body, "suffix"));
  } else if (std::strcmp(ep.name, kEmbeddings.name) == 0) {
    w.text_or_list(w.field(body, "input"));
  } else if (std::strcmp(ep.name, kMessages.name) == 0) {
    w.messages(body);
  }
  return w.ok;
}

}  // namespace airlock::gateway
