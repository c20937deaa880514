// libFuzzer target: the server-sent-event splitter (gateway/sse.h) that the relay feeds upstream
// bytes to. The first input byte is a control byte: it picks the size of the pieces the stream
// arrives in (1..32 bytes) and, with bit 7, a small event cap. The stream is split twice, in one
// piece and in small pieces; both must hand on the same events, and the events plus what is left
// pending must be the input byte for byte (events are relayed verbatim).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "gateway/sse.h"

using airlock::gateway::SseEvent;
using airlock::gateway::SseSplitter;

namespace {

struct Seen {
  std::vector<std::string> raw, event, data;
  std::string rest;  // pending() at the end
  bool over_cap = false;
};

Seen split(std::string_view stream, std::size_t piece, std::size_t cap) {
  SseSplitter s(cap);
  Seen out;
  auto on_event = [&](const SseEvent& ev) {
    FUZZ_CHECK(!ev.raw.empty());
    FUZZ_CHECK(ev.raw.back() == '\n' || ev.raw.back() == '\r');  // an event ends at a blank line
    FUZZ_CHECK(ev.data.size() <= ev.raw.size() && ev.event.size() <= ev.raw.size());
    out.raw.emplace_back(ev.raw);
    out.event.push_back(ev.event);
    out.data.push_back(ev.data);
  };
  for (std::size_t at = 0; at < stream.size(); at += piece) {
    if (!s.feed(stream.substr(at, piece), on_event)) {
      // The relay stops here: the upstream sent more than the cap without an event boundary.
      FUZZ_CHECK(s.pending().size() > cap);
      out.over_cap = true;
      return out;
    }
    FUZZ_CHECK(s.pending().size() <= cap);
  }
  s.finish(on_event);
  out.rest = s.pending();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ctrl, stream] = airlock::fuzz::take_control_byte(data, size);
  const std::size_t cap = (ctrl & 0x80) ? 64 : 1 << 20;
  const std::size_t piece = 1 + (ctrl & 31);

  const Seen whole = split(stream, std::max<std::size_t>(stream.size(), 1), cap);
  const Seen cut = split(stream, piece, cap);
  if (!whole.over_cap) {
    std::string again;
    for (const auto& r : whole.raw) again += r;
    FUZZ_CHECK(again + whole.rest == stream);
  }
  if (!whole.over_cap && !cut.over_cap) {
    // However the stream was cut, the same events come out.
    FUZZ_CHECK(whole.raw == cut.raw && whole.event == cut.event && whole.data == cut.data && whole.rest == cut.rest);
  }
  return 0;
}
