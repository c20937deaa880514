#pragma once
// Where the text is in the JSON the gateway relays, for the guardrail engine: one walker for
// requests (ordered_json, field order kept) and answers (json). Each string it reaches is checked
// in place; a block stops the walk (ok false, tally.blocked_by set).
#include <nlohmann/json.hpp>
#include <string>

#include "guardrails/engine.h"

namespace airlock::gateway {

template <class Json>
struct GuardWalk {
  const guardrails::Engine& engine;
  const guardrails::KeyOverride& key;
  guardrails::Tally& tally;
  guardrails::Direction direction = guardrails::Direction::kRequest;
  bool ok = true;

  Json* field(Json& o, const char* name) {
    if (!o.is_object()) return nullptr;
    auto it = o.find(name);
    return it == o.end() ? nullptr : &*it;
  }
  bool scan = true;          // false: the engine is idle here, only the caps' counts are wanted
  bool count_caps = false;   // URLs and phone numbers are capped: count them even when idle
  void text(Json* v) {
    if (!ok || !v || !v->is_string()) return;
    auto& s = v->template get_ref<std::string&>();
    for (unsigned char c : s) tally.chars += (c & 0xC0) != 0x80;  // code points of valid UTF-8
    if (scan) ok = engine.apply(s, direction, key, tally);
    else if (count_caps) guardrails::Engine::count(s, tally);
  }
  // A string, or a list whose strings are texts (prompt, input).
  void text_or_list(Json* v) {
    if (!v) return;
    if (v->is_string()) return text(v);
    if (v->is_array())
      for (auto& x : *v) text(&x);
  }
  // Every string anywhere inside (tool_use input). Depth is bounded by the strict parser.
  void all_strings(Json& v) {
    if (!ok) return;
    if (v.is_string()) return text(&v);
    if (v.is_array() || v.is_object())
      for (auto& x : v) all_strings(x);
  }
  bool has_type(Json& part, const char* type) {
    auto* t = field(part, "type");
    return t && t->is_string() && t->template get_ref<const std::string&>() == type;
  }
  // OpenAI content: a string, or parts of which "text" ones carry text.
  void openai_content(Json* c) {
    if (!c) return;
    if (c->is_string()) return text(c);
    if (!c->is_array()) return;
    for (auto& part : *c)
      if (has_type(part, "text")) text(field(part, "text"));
  }
  // Anthropic content: a string, or blocks.
  void anthropic_content(Json* c) {
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
  void chat(Json& body) {
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
  // OpenAI answers: choices[].message (chat) or choices[].text (completions).
  void choices(Json& body) {
    auto* cs = field(body, "choices");
    if (!cs || !cs->is_array()) return;
    for (auto& c : *cs) {
      text(field(c, "text"));
      if (auto* m = field(c, "message")) {
        openai_content(field(*m, "content"));
        text(field(*m, "refusal"));
        if (auto* calls = field(*m, "tool_calls"); calls && calls->is_array())
          for (auto& call : *calls)
            if (auto* fn = field(call, "function")) text(field(*fn, "arguments"));
      }
    }
  }
  // Responses API content: a string, or parts whose text is in "text" (input_text, output_text).
  void response_content(Json* c) {
    if (!c) return;
    if (c->is_string()) return text(c);
    if (!c->is_array()) return;
    for (auto& part : *c) text(field(part, "text"));
  }
  // Responses API items: messages, function calls (arguments), function call outputs.
  void response_items(Json* items) {
    if (!items) return;
    if (items->is_string()) return text(items);
    if (!items->is_array()) return;
    for (auto& item : *items) {
      response_content(field(item, "content"));
      text(field(item, "arguments"));
      response_content(field(item, "output"));
    }
  }
  // A Responses API request: instructions and input.
  void responses_request(Json& body) {
    text(field(body, "instructions"));
    response_items(field(body, "input"));
  }
  // A Responses API answer (or the response object inside a stream's events): output items.
  void responses_answer(Json& body) { response_items(field(body, "output")); }
  void messages(Json& body) {
    anthropic_content(field(body, "system"));
    auto* msgs = field(body, "messages");
    if (!msgs || !msgs->is_array()) return;
    for (auto& m : *msgs) anthropic_content(field(m, "content"));
  }
};


}  // namespace airlock::gateway
