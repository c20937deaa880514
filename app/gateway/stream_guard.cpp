#include "gateway/stream_guard.h"

#include <algorithm>
#include <set>

#include "gateway/guard_walk.h"
#include "http/json_read.h"

namespace airlock::gateway {
namespace {

using nlohmann::json;
using guardrails::Direction;

std::string index_of(const json& o, std::size_t fallback) {
  auto it = o.find("index");
  if (it != o.end() && it->is_number_unsigned() && it->get<std::uint64_t>() < 1'000'000) return std::to_string(it->get<std::uint64_t>());
  return "n" + std::to_string(fallback);
}

json* text_field(json& o, const char* name) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(name);
  return it != o.end() && it->is_string() ? &*it : nullptr;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

StreamGuard::StreamGuard(Dialect d, std::shared_ptr<const guardrails::Engine> engine, const guardrails::KeyOverride& key)
    : dialect_(d), engine_(std::move(engine)), key_(key) {
  active_ = engine_ && !engine_->idle(Direction::kResponse, key_);
  rewrite_ = active_ && engine_->changes(Direction::kResponse, key_);
}

StreamGuard::Channel* StreamGuard::channel(const std::string& id) {
  auto it = channels_.find(id);
  if (it == channels_.end()) {
    if (channels_.size() >= kMaxChannels) {
      broken_ = true;
      return nullptr;
    }
    it = channels_.emplace(id, Channel{}).first;
    it->second.text = std::make_unique<guardrails::StreamText>(*engine_, Direction::kResponse, key_);
  }
  return &it->second;
}

bool StreamGuard::over_held() {
  std::size_t held = 0;
  for (const auto& [id, c] : channels_) held += c.text->held();
  if (held > kMaxHeldBytes) broken_ = true;
  return broken_;
}

void StreamGuard::flush(const std::string& prefix, std::string& out, guardrails::Tally& tally) {
  for (auto it = channels_.begin(); it != channels_.end();) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) {
      ++it;
      continue;
    }
    Channel& c = it->second;
    std::string held = c.text->finish(tally);
    if (c.text->blocked()) blocked_ = true;
    if (rewrite_ && !blocked_ && !held.empty()) {
      json e = c.shape;
      json* at = &e;
      for (const auto& step : c.path) at = at->is_array() ? &(*at)[std::stoul(step)] : &(*at)[step];
      *at = held;
      if (!c.event.empty()) out += "event: " + c.event + "\n";
      out += "data: " + dump(e) + "\n\n";
    }
    it = channels_.erase(it);
  }
}

bool StreamGuard::openai(json& j, bool& changed, std::string& before, guardrails::Tally& tally) {
  auto cs = j.find("choices");
  if (cs == j.end() || !cs->is_array()) return true;
  for (std::size_t n = 0; n < cs->size(); ++n) {
    json& c = (*cs)[n];
    if (!c.is_object()) continue;
    std::string idx = index_of(c, n);
    std::string prefix = idx + "/";
    json index = c.contains("index") ? c["index"] : json(n);
    auto finishing = c.find("finish_reason");
    bool ends = finishing != c.end() && !finishing->is_null();
    std::set<std::string> here;
    // One channel's text in this event: released now, plus all it held when the choice ends here.
    // The event shape that would carry held text is built once per channel, and only when text can
    // change (monitoring never writes an event of its own).
    auto pass = [&](const std::string& id, json& field, auto&& make_shape, std::vector<std::string>&& path) {
      auto* chp = channel(id);
      if (!chp) return false;
      auto& ch = *chp;
      std::string released = ch.text->push(field.get_ref<const std::string&>(), tally);
      if (ends) released += ch.text->finish(tally);
      if (ch.text->blocked()) {
        blocked_ = true;
        return false;
      }
      if (ends) here.insert(id);
      if (!rewrite_) return true;
      if (ch.shape.is_null()) {
        ch.shape = make_shape();
        ch.path = std::move(path);
      }
      if (released != field.get_ref<const std::string&>()) {
        field = released;
        changed = true;
      }
      return true;
    };
    auto chunk = [&](json choice) {
      json s = json::object();
      for (const char* k : {"id", "object", "created", "model", "system_fingerprint"})
        if (auto it = j.find(k); it != j.end()) s[k] = *it;
      s["choices"] = json::array({std::move(choice)});
      return s;
    };
    if (json* t = text_field(c, "text")) {
      if (!pass(prefix + "x", *t, [&] { return chunk({{"index", index}, {"text", ""}, {"finish_reason", nullptr}}); },
                {"choices", "0", "text"}))
        return false;
    }
    auto delta = c.find("delta");
    if (delta != c.end() && delta->is_object()) {
      for (const char* name : {"content", "refusal"}) {
        if (json* t = text_field(*delta, name)) {
          auto shape = [&] { return chunk({{"index", index}, {"delta", {{name, ""}}}, {"finish_reason", nullptr}}); };
          if (!pass(prefix + name, *t, shape, {"choices", "0", "delta", name})) return false;
        }
      }
      auto calls = delta->find("tool_calls");
      if (calls != delta->end() && calls->is_array()) {
        for (std::size_t k = 0; k < calls->size(); ++k) {
          json& call = (*calls)[k];
          if (!call.is_object()) continue;
          auto fn = call.find("function");
          if (fn == call.end()) continue;
          if (json* t = text_field(*fn, "arguments")) {
            json ti = call.contains("index") ? call["index"] : json(k);
            auto shape = [&] {
              return chunk({{"index", index},
                            {"delta", {{"tool_calls", json::array({{{"index", ti}, {"function", {{"arguments", ""}}}}})}}},
                            {"finish_reason", nullptr}});
            };
            if (!pass(prefix + "t" + index_of(call, k), *t, shape,
                      {"choices", "0", "delta", "tool_calls", "0", "function", "arguments"}))
              return false;
          }
        }
      }
    }
    if (ends) {
      // Channels of this choice that this event does not carry: their held text goes just before it.
      for (auto it = channels_.begin(); it != channels_.end();) {
        if (it->first.compare(0, prefix.size(), prefix) == 0 && here.count(it->first)) it = channels_.erase(it);
        else ++it;
      }
      flush(prefix, before, tally);
      if (blocked_) return false;
    }
  }
  return true;
}

bool StreamGuard::anthropic(const std::string& name, json& j, bool& changed, std::string& before, guardrails::Tally& tally) {
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return true;
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "content_block_delta") {
    std::string id = "b" + index_of(j, 0);
    auto delta = j.find("delta");
    if (delta == j.end() || !delta->is_object()) return true;
    for (const char* field : {"text", "partial_json"}) {
      json* v = text_field(*delta, field);
      if (!v) continue;
      auto* chp = channel(id);
      if (!chp) return false;
      auto& ch = *chp;
      std::string released = ch.text->push(v->get_ref<const std::string&>(), tally);
      if (ch.text->blocked()) {
        blocked_ = true;
        return false;
      }
      if (!rewrite_) continue;
      if (ch.shape.is_null()) {
        ch.shape = {{"type", "content_block_delta"}, {"index", j.contains("index") ? j["index"] : json(0)},
                    {"delta", {{"type", (*delta)["type"]}, {field, ""}}}};
        ch.path = {"delta", field};
        ch.event = name.empty() ? "content_block_delta" : name;
      }
      if (released != v->get_ref<const std::string&>()) {
        *v = released;
        changed = true;
      }
    }
  } else if (t == "content_block_stop") {
    flush("b" + index_of(j, 0), before, tally);
  } else if (t == "message_stop" || t == "error") {
    flush("", before, tally);
  }
  return !blocked_;
}

bool StreamGuard::responses(json& j, bool& changed, std::string& before, guardrails::Tally& tally) {
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return true;
  const std::string t = type->get<std::string>();
  auto ends_with = [&](std::string_view suffix) {
    return t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  // A text's channel: its item and content part.
  auto id_of = [&] {
    std::string item = j.contains("item_id") && j["item_id"].is_string() ? j["item_id"].get<std::string>()
                       : j.contains("output_index")                      ? "o" + dump(j["output_index"])
                                                                          : std::string("o");
    return "r" + item.substr(0, 64) + "/" + (j.contains("content_index") ? dump(j["content_index"]).substr(0, 12) : "-");
  };
  if (ends_with(".delta")) {
    json* v = text_field(j, "delta");
    if (!v) return true;
    auto* chp = channel(id_of());
    if (!chp) return false;
    auto& ch = *chp;
    std::string released = ch.text->push(v->get_ref<const std::string&>(), tally);
    if (ch.text->blocked()) {
      blocked_ = true;
      return false;
    }
    if (!rewrite_) return true;
    if (ch.shape.is_null()) {
      ch.shape = json::object();
      for (const char* k : {"type", "item_id", "output_index", "content_index", "sequence_number"})
        if (auto it = j.find(k); it != j.end()) ch.shape[k] = *it;
      ch.shape["delta"] = "";
      ch.path = {"delta"};
      ch.event = t;
    }
    if (released != v->get_ref<const std::string&>()) {
      *v = released;
      changed = true;
    }
    return true;
  }
  // What the deltas held goes out before the event that repeats the whole text. The whole text is
  // checked again to be rewritten the same way, but counted once (the deltas counted it).
  if (ends_with(".done")) flush(id_of(), before, tally);
  if (blocked_) return false;
  bool whole = ends_with(".done") || t == "response.completed" || t == "response.incomplete" || t == "response.failed";
  if (!whole || !rewrite_) return true;
  guardrails::Tally again;
  GuardWalk<json> w{*engine_, key_, again, Direction::kResponse};
  for (const char* f : {"text", "refusal", "arguments"}) w.text(w.field(j, f));
  if (auto* part = w.field(j, "part")) w.text(w.field(*part, "text"));
  if (auto* item = w.field(j, "item")) {
    w.response_content(w.field(*item, "content"));
    w.text(w.field(*item, "arguments"));
  }
  if (auto* r = w.field(j, "response")) {
    flush("", before, tally);
    w.responses_answer(*r);
  }
  if (!w.ok) {
    blocked_ = true;
    return false;
  }
  changed = changed || again.masked > 0;
  return !blocked_;
}

namespace {

// A choice's or tool call's "index" as the DOM path names it: an unsigned number below 10^6 as
// written, anything else by its position.
std::string index_name(std::string_view token, bool is_string, std::int64_t pos) {
  bool plain = !is_string && !token.empty() && token.size() <= 6 && (token == "0" || token[0] != '0') &&
               std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
  return plain ? std::string(token) : "n" + std::to_string(pos);
}

}  // namespace

bool StreamGuard::monitor_openai(std::string_view data, guardrails::Tally& tally, bool& ok) {
  // Only an object is read by its fields; anything else the DOM path checks whole.
  auto first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || data[first] != '{') return false;
  used_ = 0;
  choices_.clear();
  tool_index_.clear();
  auto piece = [&](std::int64_t choice, std::string channel, std::string_view text) {
    if (used_ == pieces_.size()) pieces_.emplace_back();
    auto& p = pieces_[used_++];
    p.choice = choice;
    p.channel = std::move(channel);
    p.text.assign(text);
  };
  bool read = leaves_.read(data, [&](const std::vector<PathStep>& path, std::string_view v, bool is_string) {
    // choices[c].…: the paths the DOM path reads (StreamGuard::openai).
    if (path.size() < 3 || path[0].key != "choices" || !path[1].key.empty()) return;
    std::int64_t c = path[1].index;
    auto& facts = choices_[c];
    if (path.size() == 3) {
      if (path[2].key == "index") facts.index = index_name(v, is_string, c);
      else if (path[2].key == "finish_reason") facts.ends = !(v == "null" && !is_string);
      else if (path[2].key == "text" && is_string) piece(c, "x", v);
      return;
    }
    if (path[2].key != "delta") return;
    if (path.size() == 4 && is_string && (path[3].key == "content" || path[3].key == "refusal")) piece(c, std::string(path[3].key), v);
    if (path.size() >= 6 && path[3].key == "tool_calls" && path[4].key.empty()) {
      auto call = std::make_pair(c, path[4].index);
      if (path.size() == 6 && path[5].key == "index") tool_index_[call] = index_name(v, is_string, path[4].index);
      if (path.size() == 7 && path[5].key == "function" && path[6].key == "arguments" && is_string)
        piece(c, "t#" + std::to_string(path[4].index), v);
    }
  });
  if (!read) return false;
  for (auto& [c, facts] : choices_)
    if (facts.index.empty()) facts.index = "n" + std::to_string(c);
  for (std::size_t i = 0; i < used_; ++i) {
    auto& p = pieces_[i];
    if (p.channel.rfind("t#", 0) == 0) {
      std::int64_t k = std::stoll(p.channel.substr(2));
      auto it = tool_index_.find({p.choice, k});
      p.channel = "t" + (it != tool_index_.end() ? it->second : "n" + std::to_string(k));
    }
  }
  // As the DOM path does: each choice's texts into their channels; a choice that ends finishes them.
  for (auto& [c, facts] : choices_) {
    std::string prefix = facts.index + "/";
    std::set<std::string> here;
    for (std::size_t i = 0; i < used_; ++i) {
      auto& p = pieces_[i];
      if (p.choice != c) continue;
      std::string id = prefix + p.channel;
      auto* ch = channel(id);
      if (!ch) {
        ok = false;
        return true;
      }
      ch->text->push(p.text, tally);
      if (facts.ends) {
        ch->text->finish(tally);
        here.insert(id);
      }
      if (ch->text->blocked()) blocked_ = true;
    }
    if (facts.ends) {
      for (auto it = channels_.begin(); it != channels_.end();) {
        if (here.count(it->first)) it = channels_.erase(it);
        else ++it;
      }
      std::string unused;
      flush(prefix, unused, tally);
    }
  }
  ok = !blocked_ && !over_held();
  return true;
}

bool StreamGuard::monitor_anthropic(std::string_view data, guardrails::Tally& tally, bool& ok) {
  auto first = data.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || data[first] != '{') return false;
  std::string type, index;
  bool has_index = false;
  std::optional<std::string> text, partial;
  bool read = leaves_.read(data, [&](const std::vector<PathStep>& path, std::string_view v, bool is_string) {
    if (path.size() == 1 && path[0].key == "type") type = is_string ? std::string(v) : std::string();
    else if (path.size() == 1 && path[0].key == "index") index = index_name(v, is_string, 0), has_index = true;
    else if (path.size() == 2 && path[0].key == "delta" && is_string && path[1].key == "text") text = std::string(v);
    else if (path.size() == 2 && path[0].key == "delta" && is_string && path[1].key == "partial_json") partial = std::string(v);
  });
  if (!read) return false;
  // As StreamGuard::anthropic: a block's text into its channel, flushed at its stop, all at the end.
  std::string id = "b" + (has_index ? index : std::string("n0"));
  ok = true;
  if (type == "content_block_delta") {
    for (const auto* t : {&text, &partial}) {
      if (!*t) continue;
      auto* ch = channel(id);
      if (!ch) {
        ok = false;
        return true;
      }
      ch->text->push(**t, tally);
      if (ch->text->blocked()) blocked_ = true;
    }
  } else if (type == "content_block_stop") {
    std::string unused;
    flush(id, unused, tally);
  } else if (type == "message_stop" || type == "error") {
    std::string unused;
    flush("", unused, tally);
  }
  ok = !blocked_ && !over_held();
  return true;
}

bool StreamGuard::on_event(const SseEvent& ev, std::string& out, guardrails::Tally& tally) {
  if (!active_) {
    out.append(ev.raw);
    return true;
  }
  if (blocked_ || broken_) return false;
  // Monitoring changes no byte: chat chunks are read without a DOM, and the event goes on as it came.
  if (!rewrite_ && fast_monitor_ && !responses_ && ev.data != "[DONE]") {
    bool ok = true;
    if (dialect_ == Dialect::kOpenAI ? monitor_openai(ev.data, tally, ok) : monitor_anthropic(ev.data, tally, ok)) {
      if (!ok) {
        if (!broken_) blocked_ = true;
        return false;
      }
      out.append(ev.raw);
      return true;
    }
  }
  std::string before;
  bool changed = false;
  bool ok = true;
  std::optional<json> j;
  if (dialect_ == Dialect::kOpenAI && ev.data == "[DONE]") {
    flush("", before, tally);
    ok = !blocked_;
  } else if (auto parsed = http::parse_json_strict(ev.data); parsed && parsed->is_object()) {
    j = std::move(parsed);
    ok = dialect_ == Dialect::kAnthropic ? anthropic(ev.event, *j, changed, before, tally)
         : responses_                    ? responses(*j, changed, before, tally)
                                         : openai(*j, changed, before, tally);
  } else {
    // Not JSON: no SDK reads text out of it, but it reaches the client, so it is checked whole.
    std::string raw(ev.raw);
    ok = engine_->apply(raw, Direction::kResponse, key_, tally);
    if (ok && rewrite_ && raw != ev.raw) {
      out += before + raw;
      return true;
    }
  }
  if (!ok || over_held()) {
    if (!broken_) blocked_ = true;
    return false;
  }
  out += before;
  if (!changed || !j) {
    out.append(ev.raw);
    return true;
  }
  if (!ev.event.empty()) out += "event: " + ev.event + "\n";
  out += "data: " + dump(*j) + "\n\n";
  return true;
}

void StreamGuard::finish(std::string& out, guardrails::Tally& tally) {
  if (!active_ || blocked_ || broken_) return;
  flush("", out, tally);
}

}  // namespace airlock::gateway
