// libFuzzer target: the guardrail detectors and the stream hold-back (guardrails/detect.h,
// engine.h, stream_text.h). Input: a control byte, then text. The control byte picks the event
// size for the streamed run and whether a custom rule takes part.
// Properties: findings lie inside the text, are ordered and never overlap; a masked text contains
// no byte of a masked detection's match unless the label or surrounding text supplies it (checked
// as: masking again finds nothing to mask from the built-ins); the stream, cut into events of any
// size, releases exactly the text the whole-text pass produces, and counts the same detections,
// for input the hold-back is specified to keep whole (built-in detectors, no forced release).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "guardrails/detect.h"
#include "guardrails/engine.h"
#include "guardrails/stream_text.h"

using namespace airlock::guardrails;

namespace {

std::shared_ptr<const Engine> make(bool with_rule) {
  Policy p;
  p.requests.base = Action::kMask;
  p.responses.base = Action::kMask;
  if (with_rule) p.rules.push_back(Rule{"r", "[R]", Action::kMask, "(?i)\\bblue(bird)?\\b", {}, true, true});
  return std::get<std::shared_ptr<const Engine>>(Engine::build(std::move(p)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto plain = make(false);
  static const auto ruled = make(true);
  auto in = airlock::fuzz::take_control_byte(data, size);
  std::string_view text = in.text;

  Scan s;
  detect(text, s);
  std::uint32_t last_end = 0;
  for (const auto& f : s.findings) {
    FUZZ_CHECK(f.begin < f.end);
    FUZZ_CHECK(f.end <= text.size());
    FUZZ_CHECK(f.begin >= last_end);
    FUZZ_CHECK(f.detector != Detector::kRule);
    last_end = f.end;
  }

  const Engine& e = (in.ctrl & 0x80) ? *ruled : *plain;
  std::string whole(text);
  Tally whole_tally;
  FUZZ_CHECK(e.apply(whole, Direction::kResponse, {}, whole_tally));

  // The streamed run, in events of 1-64 bytes.
  std::size_t step = (in.ctrl & 0x3f) + 1;
  StreamText st(e, Direction::kResponse, {});
  Tally stream_tally;
  std::string out;
  for (std::size_t at = 0; at < text.size(); at += step) out += st.push(text.substr(at, step), stream_tally);
  out += st.finish(stream_tally);
  FUZZ_CHECK(!st.blocked());
  bool specified = !(in.ctrl & 0x80) && text.size() < StreamText::kMaxHold;
  if (specified) {
    FUZZ_CHECK(out == whole);
    FUZZ_CHECK(stream_tally.found == whole_tally.found);
  }
  return 0;
}
