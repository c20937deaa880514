// The SSE relay's per-event step (exchange.h); proxy_call.cpp feeds it as upstream bytes arrive.
#include "gateway/exchange.h"

namespace airlock::gateway {
std::string stream_error_event(Dialect d, const char* message) {
  if (d == Dialect::kAnthropic)
    return std::string("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"") + message +
           "\"}}\n\n";
  return std::string("data: {\"error\":{\"message\":\"") + message +
         "\",\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_stream_error\"}}\n\n";
}

bool Relay::on_event(const SseEvent& ev, const std::function<bool(std::string_view)>& write) {
  bool forward = reading.read(ev);
  if (reading.broken) return false;
  if (!forward) return true;
  if (!ex.record.ttft_us)
    ex.record.ttft_us =
        std::chrono::duration_cast<std::chrono::microseconds>(ex.gw.deps().clock.steady_now() - ex.start).count();
  bytes_out += static_cast<std::int64_t>(ev.raw.size());
  return write(ev.raw);
}

}  // namespace airlock::gateway
