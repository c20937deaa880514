// The SSE relay's per-event logic (exchange.h); proxy_call.cpp feeds it as upstream bytes arrive.
#include <nlohmann/json.hpp>

#include "gateway/exchange.h"
#include "http/json_read.h"

namespace airlock::gateway {
std::string stream_error_event(Dialect d, const char* message) {
  if (d == Dialect::kAnthropic)
    return std::string("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"") + message +
           "\"}}\n\n";
  return std::string("data: {\"error\":{\"message\":\"") + message +
         "\",\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_stream_error\"}}\n\n";
}

nlohmann::json Relay::parse_event(const std::string& data) {
  std::string err;
  auto j = http::parse_json_strict(data, &err);
  if (j) return std::move(*j);
  // Too deep or too wide to read safely: the stream is ended rather than passed on unread.
  if (err == "json_too_deep" || err == "json_too_many_members") broken = true;
  return nullptr;
}

bool Relay::on_event(const SseEvent& ev, const std::function<bool(std::string_view)>& write) {
  bool forward = true;
  // Only the events that can carry usage are parsed; the rest pass through as bytes.
  if (ex.ep.dialect == Dialect::kOpenAI) {
    if (ev.data == "[DONE]") {
      done = true;
    } else if (ev.data.find("\"usage\"") != std::string::npos) {
      auto j = parse_event(ev.data);
      if (broken) return false;
      if (j.is_object() && j.contains("usage") && j["usage"].is_object()) {
        usage.prompt_tokens = usage_count(j["usage"], "prompt_tokens");
        usage.completion_tokens = usage_count(j["usage"], "completion_tokens");
        usage.known = true;
        // The usage-only chunk we asked for: the client did not, so it does not see it.
        auto ch = j.find("choices");
        if (ex.strip_usage_chunk && ch != j.end() && ch->is_array() && ch->empty()) forward = false;
      }
    }
  } else {
    if (ev.event == "message_start" || ev.event == "message_delta") {
      auto j = parse_event(ev.data);
      if (broken) return false;
      const nlohmann::json* u = nullptr;
      if (j.is_object() && ev.event == "message_start" && j.contains("message") && j["message"].is_object() &&
          j["message"].contains("usage"))
        u = &j["message"]["usage"];
      if (j.is_object() && ev.event == "message_delta" && j.contains("usage")) u = &j["usage"];
      if (u && u->is_object()) {
        if (u->contains("input_tokens"))
          usage.prompt_tokens = core::sat_add(usage_count(*u, "input_tokens"),
                                              core::sat_add(usage_count(*u, "cache_creation_input_tokens"),
                                                            usage_count(*u, "cache_read_input_tokens")));
        if (u->contains("output_tokens")) usage.completion_tokens = usage_count(*u, "output_tokens");
        usage.known = true;
      }
    } else if (ev.event == "message_stop") {
      done = true;
    }
  }
  if (!forward) return true;
  if (!ex.record.ttft_us)
    ex.record.ttft_us =
        std::chrono::duration_cast<std::chrono::microseconds>(ex.gw.deps().clock.steady_now() - ex.start).count();
  bytes_out += static_cast<std::int64_t>(ev.raw.size());
  return write(ev.raw);
}

}  // namespace airlock::gateway
