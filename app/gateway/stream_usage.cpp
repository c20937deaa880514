#include "gateway/stream_usage.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "core/checked.h"
#include "http/json_read.h"

namespace airlock::gateway {
namespace {

// The event's JSON, or null; `broken` when it was refused for its depth or width.
nlohmann::json parse_event(const std::string& data, bool& broken) {
  std::string err;
  auto j = http::parse_json_strict(data, &err);
  if (j) return std::move(*j);
  if (err == "json_too_deep" || err == "json_too_many_members") broken = true;
  return nullptr;
}

// The object at `key` in `obj`, or nullptr.
const nlohmann::json* object_at(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

bool StreamUsage::read(const SseEvent& ev) {
  if (responses) {
    std::string_view name = ev.event;
    bool last = name == "response.completed" || name == "response.incomplete" || name == "response.failed";
    if (name == "error") done = true;
    // Without event: lines the type is in the data; only a final event is parsed either way.
    if (name.empty() && (ev.data.find("\"response.completed\"") != std::string::npos ||
                         ev.data.find("\"response.incomplete\"") != std::string::npos ||
                         ev.data.find("\"response.failed\"") != std::string::npos))
      last = true;
    if (!last) return true;
    done = true;
    auto j = parse_event(ev.data, broken);
    if (broken) return false;
    const nlohmann::json* r = object_at(j, "response");
    const nlohmann::json* u = r ? object_at(*r, "usage") : nullptr;
    if (!u) return true;
    usage.prompt_tokens = usage_count(*u, "input_tokens");
    usage.completion_tokens = usage_count(*u, "output_tokens");
    usage.known = true;
    return true;
  }
  if (dialect == Dialect::kOpenAI) {
    if (ev.data == "[DONE]") {
      done = true;
      return true;
    }
    // memmem, not string::find: that calls memchr at every quote, and chunks are mostly quotes.
    static constexpr std::string_view kUsage = "\"usage\"";
    if (!::memmem(ev.data.data(), ev.data.size(), kUsage.data(), kUsage.size())) return true;
    auto j = parse_event(ev.data, broken);
    if (broken) return false;
    const nlohmann::json* u = object_at(j, "usage");
    if (!u) return true;
    usage.prompt_tokens = usage_count(*u, "prompt_tokens");
    usage.completion_tokens = usage_count(*u, "completion_tokens");
    usage.known = true;
    // The usage-only chunk we asked for: the client did not, so it does not see it.
    auto ch = j.find("choices");
    return !(strip_usage_chunk && ch != j.end() && ch->is_array() && ch->empty());
  }
  if (ev.event == "message_stop") {
    done = true;
    return true;
  }
  if (ev.event != "message_start" && ev.event != "message_delta") return true;
  auto j = parse_event(ev.data, broken);
  if (broken) return false;
  const nlohmann::json* u = ev.event == "message_start" ? object_at(j, "message") : &j;
  u = u ? object_at(*u, "usage") : nullptr;
  if (!u) return true;
  if (u->contains("input_tokens"))
    usage.prompt_tokens = core::sat_add(usage_count(*u, "input_tokens"),
                                        core::sat_add(usage_count(*u, "cache_creation_input_tokens"),
                                                      usage_count(*u, "cache_read_input_tokens")));
  if (u->contains("output_tokens")) usage.completion_tokens = usage_count(*u, "output_tokens");
  usage.known = true;
  return true;
}

}  // namespace airlock::gateway
