// libFuzzer target: what the SSE relay reads from a hostile upstream stream: the splitter
// (gateway/sse.h) feeding StreamUsage (gateway/stream_usage.h), exactly as proxy_call.cpp does.
// The first input byte is a control byte: bit 0 picks the dialect (OpenAI / Anthropic), bit 1
// whether Airlock asked for the usage chunk itself, bits 2-6 the size of the pieces the stream
// arrives in (1..32 bytes), bit 7 whether guardrails mask the answer (gateway/stream_guard.h, every
// built-in detector on mask, a rule on block) as Relay::on_event runs them. The rest is the stream.
// Unguarded streams are also monitored twice, with and without the DOM-less reader
// (json_leaves.h), which must forward the same bytes and count the same detections.
// Properties: no throw; usage counts stay within 0..3 × 2^31 whatever the upstream claims; an event
// dropped is only ever our usage-only chunk; a broken stream stops the relay; and the stream read
// in pieces gives the same usage, end marker and forwarded bytes as the stream read whole.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "gateway/sse.h"
#include "gateway/stream_guard.h"
#include "gateway/stream_usage.h"

using airlock::gateway::Dialect;
using airlock::gateway::SseEvent;
using airlock::gateway::SseSplitter;
using airlock::gateway::StreamUsage;

namespace {

struct Relayed {
  StreamUsage reading;
  std::string forwarded;
  bool over_cap = false;  // the upstream sent more than the splitter's cap without an event boundary
};

std::shared_ptr<const airlock::guardrails::Engine> masking() {
  using namespace airlock::guardrails;
  Policy p;
  p.responses.base = Action::kMask;
  p.rules.push_back(Rule{"stop", "[STOP]", Action::kBlock, "(?i)\\bforbidden\\b", {}, true, true});
  return std::get<std::shared_ptr<const Engine>>(Engine::build(std::move(p)));
}

Relayed relay(std::string_view stream, std::size_t piece, Dialect d, bool strip, bool guarded) {
  Relayed out{StreamUsage{d, strip}, {}, false};
  static const auto engine = masking();
  airlock::gateway::StreamGuard guard(d, guarded ? engine : nullptr, {});
  bool stopped = false;
  SseSplitter splitter;
  auto on_event = [&](const SseEvent& ev) {
    if (out.reading.broken) return;  // the relay ignores what follows a broken event
    bool forward = out.reading.read(ev);
    if (out.reading.broken) {
      FUZZ_CHECK(!forward);
      return;
    }
    if (!forward) {
      // Only the OpenAI usage-only chunk Airlock asked for is ever held back.
      FUZZ_CHECK(d == Dialect::kOpenAI && strip && out.reading.usage.known);
      FUZZ_CHECK(ev.data.find("\"usage\"") != std::string::npos);
      return;
    }
    if (!guard.active()) {
      out.forwarded.append(ev.raw);
      return;
    }
    airlock::guardrails::Tally tally;
    if (!guard.on_event(ev, out.forwarded, tally)) {
      FUZZ_CHECK(guard.broken() || tally.blocked_by == "stop");
      out.reading.broken = true;  // as Relay::on_event: the stream ends with an error
    }
  };
  for (std::size_t at = 0; at < stream.size() && !stopped; at += piece) {
    out.over_cap = !splitter.feed(stream.substr(at, piece), on_event);
    stopped = out.over_cap || out.reading.broken;  // the relay ends the stream here
  }
  if (!stopped) splitter.finish(on_event);
  if (!out.reading.broken) {
    airlock::guardrails::Tally tally;
    guard.finish(out.forwarded, tally);
  }
  FUZZ_CHECK(!guard.active() || guard.channels() <= airlock::gateway::StreamGuard::kMaxChannels);
  const auto& u = out.reading.usage;
  constexpr std::int64_t kMaxCount = std::int64_t{3} << 31;
  FUZZ_CHECK(u.prompt_tokens >= 0 && u.prompt_tokens <= kMaxCount);
  FUZZ_CHECK(u.completion_tokens >= 0 && u.completion_tokens <= (std::int64_t{1} << 31));
  FUZZ_CHECK(u.total() >= 0);
  return out;
}

// Monitoring a stream, without a DOM (fast) or with one: the same events out, byte for byte, and
// the same detections counted.
std::pair<std::string, airlock::guardrails::Tally> monitored(std::string_view stream, Dialect d, bool fast) {
  using namespace airlock::guardrails;
  static const auto engine = [] {
    Policy p;
    p.responses.base = Action::kMonitor;
    return std::get<std::shared_ptr<const Engine>>(Engine::build(std::move(p)));
  }();
  airlock::gateway::StreamGuard guard(d, engine, {});
  guard.set_fast_monitor(fast);
  std::pair<std::string, Tally> out;
  bool going = true;
  SseSplitter splitter;
  auto on_event = [&](const SseEvent& ev) {
    if (going) going = guard.on_event(ev, out.first, out.second);
  };
  splitter.feed(stream, on_event);
  splitter.finish(on_event);
  if (going) guard.finish(out.first, out.second);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ctrl, stream] = airlock::fuzz::take_control_byte(data, size);
  const Dialect d = (ctrl & 1) ? Dialect::kAnthropic : Dialect::kOpenAI;
  const bool strip = ctrl & 2;
  const std::size_t piece = 1 + ((ctrl >> 2) & 31);

  const bool guarded = ctrl & 0x80;
  const Relayed whole = relay(stream, stream.empty() ? 1 : stream.size(), d, strip, guarded);
  const Relayed cut = relay(stream, piece, d, strip, guarded);
  if (!whole.over_cap && !cut.over_cap) {
    // However the stream was cut, the client sees the same bytes and the key is charged the same.
    FUZZ_CHECK(whole.reading.broken == cut.reading.broken);
    FUZZ_CHECK(whole.forwarded == cut.forwarded);
    FUZZ_CHECK(whole.reading.usage.prompt_tokens == cut.reading.usage.prompt_tokens);
    FUZZ_CHECK(whole.reading.usage.completion_tokens == cut.reading.usage.completion_tokens);
    FUZZ_CHECK(whole.reading.usage.known == cut.reading.usage.known);
    FUZZ_CHECK(whole.reading.done == cut.reading.done);
  }
  if (!guarded && stream.size() <= (1 << 16)) {
    auto fast = monitored(stream, d, true), dom = monitored(stream, d, false);
    FUZZ_CHECK(fast.first == dom.first);
    FUZZ_CHECK(fast.second.found == dom.second.found);
  }
  return 0;
}
