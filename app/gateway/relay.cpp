// The SSE relay's per-event step (exchange.h); proxy_call.cpp feeds it as upstream bytes arrive.
#include "gateway/exchange.h"

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

bool Relay::on_event(const SseEvent& ev, const std::function<bool(std::string_view)>& write) {
  bool forward = reading.read(ev);
  if (reading.broken) return false;
  if (!forward) return true;
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

void Relay::release_held(const std::function<bool(std::string_view)>& write) {
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
