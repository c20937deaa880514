#pragma once
// Splits a server-sent-event stream into events as bytes arrive, whatever the chunking: an event
// ends at a blank line (LF LF, CR LF CR LF, or CR CR, per the WHATWG EventSource rules). Events
// are handed on verbatim, so what the client receives is byte for byte what the upstream sent,
// except for events the relay chooses to drop.
#include <functional>
#include <string>
#include <string_view>

namespace airlock::gateway {

struct SseEvent {  // valid only during the on_event call that hands it out
  std::string_view raw;    // the whole event including its terminating blank line
  std::string event;       // the "event:" field, "" when absent
  std::string data;        // the "data:" lines joined with '\n'
};

class SseSplitter {
 public:
  // Caps how much may pile up without an event boundary (a misbehaving upstream).
  explicit SseSplitter(std::size_t max_event_bytes = 1 << 20) : max_(max_event_bytes) {}
  // Feeds bytes; calls `on_event` for each complete event. False when an event exceeds the cap.
  bool feed(std::string_view bytes, const std::function<void(const SseEvent&)>& on_event);
  // At the end of the stream: a trailing CR now counts as a line end (it can no longer be the
  // first half of CR LF).
  void finish(const std::function<void(const SseEvent&)>& on_event);
  // Bytes that arrived after the last complete event.
  const std::string& pending() const { return buf_; }

 private:
  void drain(const std::function<void(const SseEvent&)>& on_event, bool at_end);
  std::string buf_;
  std::size_t max_;
  std::size_t scan_ = 0;        // how far buf_ has been scanned for the end of its first event
  std::size_t line_start_ = 0;  // where the line being scanned began
  SseEvent scratch_;
};

}  // namespace airlock::gateway
