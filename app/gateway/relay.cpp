// The SSE relay's per-event step (exchange.h); proxy_call.cpp feeds it as upstream bytes arrive.
#include "gateway/exchange.h"
#include "http/json_read.h"

namespace airlock::gateway {
std::string stream_error_event(Dialect d, const char* message, const char* code) {
  bool policy = std::string_view(code) == "content_policy_violation";
  const char* type = policy ? "invalid_request_error" : "api_error";
  if (d == Dialect::kAnthropic)
    return std::string("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"") + type + "\",\"message\":\"" +
           message + "\"}}\n\n";
  return std::string("data: {\"error\":{\"message\":\"") + message + "\",\"type\":\"" + type +
         "\",\"param\":null,\"code\":\"" + code + "\"}}\n\n";
}

void Relay::translate_from(Dialect upstream, std::int64_t created) {
  reading.dialect = upstream;
  reading.strip_usage_chunk = false;  // the translator decides what the client sees
  if (upstream == Dialect::kOpenAI) to_anthropic_ = std::make_unique<translate::ChatToMessagesStream>();
  else to_openai_ = std::make_unique<translate::MessagesToChatStream>(created, ex.include_usage);
}

// A stored response's id, from the stream's first event: recorded as the key's at once, so a
// retrieve while the stream still runs finds it.
void Relay::note_response_id(const SseEvent& ev) {
  if (!ex.store_response || (ev.event != "response.created" && ev.data.find("\"response.created\"") == std::string::npos)) return;
  ex.store_response = false;  // once
  auto j = http::parse_json_strict(ev.data);
  if (!j || !j->is_object() || !j->contains("response") || !(*j)["response"].is_object()) return;
  const auto& r = (*j)["response"];
  if (auto id = r.find("id"); id != r.end() && id->is_string())
    ex.gw.responses().remember({id->get<std::string>(), ex.key.id.value, ex.record.provider_id.value_or(0), ex.record.model,
                                ex.record.upstream_model});
}

void Relay::translate_responses(translate::ResponseEcho echo) {
  reading.responses = false;  // the upstream speaks chat: its usage chunk, [DONE]
  reading.dialect = Dialect::kOpenAI;
  reading.strip_usage_chunk = false;
  to_responses_ = std::make_unique<translate::ChatToResponsesStream>(std::move(echo));
}

bool Relay::on_event(const SseEvent& ev, const Write& write) {
  if (reading.responses) note_response_id(ev);
  bool forward = reading.read(ev);
  if (reading.broken) return false;
  if (to_anthropic_ || to_openai_ || to_responses_) {
    std::string out;
    bool ok = to_anthropic_ ? to_anthropic_->on_event(ev.data, out)
              : to_openai_  ? to_openai_->on_event(ev.data, out)
                            : to_responses_->on_event(ev.data, out);
    if (!ok) {
      reading.broken = true;
      return false;
    }
    return out.empty() || pass_text(out, write);
  }
  if (!forward) return true;
  return pass(ev, write);
}

bool Relay::pass_text(const std::string& events, const Write& write) {
  if (!guard.active()) {
    if (!ex.record.ttft_us)
      ex.record.ttft_us =
          std::chrono::duration_cast<std::chrono::microseconds>(ex.gw.deps().clock.steady_now() - ex.start).count();
    bytes_out += static_cast<std::int64_t>(events.size());
    return write(events);
  }
  // The guard reads events: the translator's text is split again (it only ever holds whole events).
  SseSplitter split;
  bool more = true;
  split.feed(events, [&](const SseEvent& ev) { more = more && pass(ev, write); });
  return more && !reading.broken;
}

bool Relay::pass(const SseEvent& ev, const Write& write) {
  if (!ex.record.ttft_us)
    ex.record.ttft_us =
        std::chrono::duration_cast<std::chrono::microseconds>(ex.gw.deps().clock.steady_now() - ex.start).count();
  if (!guard.active()) {
    bytes_out += static_cast<std::int64_t>(ev.raw.size());
    return write(ev.raw);
  }
  std::string out;
  guardrails::Tally tally;
  bool ok = guard.on_event(ev, out, tally);
  ex.count(tally);
  if (!ok) {
    blocked = !guard.broken();  // a policy block, or an upstream past the guard's bounds
    reading.broken = true;      // ends the relay; end_relay writes the error
    return false;
  }
  if (out.empty()) return true;
  bytes_out += static_cast<std::int64_t>(out.size());
  return write(out);
}

void Relay::release_held(const Write& write) {
  if (blocked || !guard.active() || guard.broken()) return;
  std::string out;
  guardrails::Tally tally;
  guard.finish(out, tally);
  ex.count(tally);
  if (out.empty()) return;
  bytes_out += static_cast<std::int64_t>(out.size());
  write(out);
}

}  // namespace airlock::gateway
