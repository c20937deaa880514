// libFuzzer target: the HTTP/1.1 request head parser and, when the head says chunked, the chunked
// decoder on the bytes after it (net/http1.h). The first input byte is a control byte: it picks
// where the head is cut in two (the parser is called on the first part, then on the whole with
// `seen`, as the front end does when bytes trickle in), whether small limits apply, and the piece
// size for the second run of the chunked decoder. One-shot and incremental parses must agree.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "http1_chunked_check.h"
#include "net/http1.h"

using namespace airlock::net::http1;
using airlock::fuzz::inside;

namespace {

void check_head(const RequestHead& h, std::string_view buf, const Parsed& p) {
  FUZZ_CHECK(p.consumed > 0 && p.consumed <= buf.size());
  const std::string_view head = buf.substr(0, p.consumed);
  FUZZ_CHECK(head.size() >= 4 && head.substr(head.size() - 4) == "\r\n\r\n");
  FUZZ_CHECK(!h.method.empty() && inside(h.method, head));
  FUZZ_CHECK(!h.target.empty() && inside(h.target, head));
  FUZZ_CHECK(h.minor == 0 || h.minor == 1);
  for (const Header& f : h.headers) {
    FUZZ_CHECK(!f.name.empty() && inside(f.name, head) && inside(f.value, head));
    FUZZ_CHECK(f.value.empty() || (f.value.front() != ' ' && f.value.back() != ' '));  // H3 trimmed
  }
  FUZZ_CHECK(h.framing != Framing::until_close);  // responses only
  FUZZ_CHECK(h.framing != Framing::chunked || h.minor == 1);  // F6
  FUZZ_CHECK(!h.expect_continue || h.minor == 1);  // Q2
  if (h.minor == 1) FUZZ_CHECK(h.header("host") != nullptr);  // Q1
  (void)h.header("content-length");
  (void)h.header("transfer-encoding");
}

bool same_head(const RequestHead& a, const RequestHead& b) {
  if (a.method != b.method || a.target != b.target || a.minor != b.minor || a.framing != b.framing ||
      a.content_length != b.content_length || a.keep_alive != b.keep_alive ||
      a.expect_continue != b.expect_continue || a.headers.size() != b.headers.size())
    return false;
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ctrl, buf] = airlock::fuzz::take_control_byte(data, size);
  Limits limits;
  if (ctrl & 1) limits = Limits{.max_head_bytes = 256, .max_headers = 4, .max_target = 32};

  RequestHead whole;
  const Parsed once = parse_request_head(buf, limits, whole);
  if (once.kind == Parsed::complete) check_head(whole, buf, once);
  if (once.kind == Parsed::error) FUZZ_CHECK(once.err.status >= 400 && once.err.status <= 599 && !once.err.code.empty());
  if (once.kind == Parsed::incomplete) FUZZ_CHECK(buf.size() <= limits.max_head_bytes);  // L3

  // The same bytes arriving in two reads.
  const std::size_t cut = airlock::fuzz::cut_point(static_cast<std::uint8_t>(ctrl & 0xfe), buf.size());
  RequestHead first;
  const Parsed early = parse_request_head(buf.substr(0, cut), limits, first);
  if (early.kind == Parsed::complete) {
    // The head was all in the first read: the bytes after it cannot change it.
    FUZZ_CHECK(once.kind == Parsed::complete && once.consumed == early.consumed && same_head(first, whole));
  } else if (early.kind == Parsed::incomplete) {
    RequestHead later;
    const Parsed next = parse_request_head(buf, limits, later, cut);
    if (next.kind == Parsed::complete || once.kind == Parsed::complete) {
      FUZZ_CHECK(next.kind == once.kind && next.consumed == once.consumed && same_head(later, whole));
    } else if (next.kind == Parsed::error) {
      // With `seen` an error may be reported late: when the head ends, or as 431 once it overflows L3.
      FUZZ_CHECK(once.kind == Parsed::error && (next.err.status == once.err.status || next.err.status == 431));
    }
  } else {
    // Each byte is judged as soon as it has arrived: what the first read refused stays refused.
    FUZZ_CHECK(once.kind == Parsed::error && once.err.status == early.err.status);
  }

  if (once.kind == Parsed::complete && whole.framing == Framing::chunked) {
    const std::uint64_t max_total = (ctrl & 2) ? 64 : UINT64_MAX;
    airlock::fuzz::check_chunked(buf.substr(once.consumed), max_total, 1 + (ctrl >> 5));
  }
  return 0;
}
