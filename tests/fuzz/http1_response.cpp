// libFuzzer target: an upstream response as net/client_conn.cpp reads it: status lines and fields
// (parse_response_head, net/http1.h), interim 1xx heads skipped, then the body by the framing the
// final head chose: a Content-Length slice, the chunked decoder, or everything until close.
// ClientConn itself needs a socket and an event loop, so its loop is mirrored here, not called.
// The first input byte is a control byte: bit 0 says the request was HEAD, bit 1 picks small
// limits, bit 2 a small body cap; the rest picks where each head is cut in two reads and the
// chunked decoder's piece size.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "http1_chunked_check.h"
#include "net/http1.h"

using namespace airlock::net::http1;
using airlock::fuzz::inside;

namespace {

void check_head(const ResponseHead& h, std::string_view buf, const Parsed& p, bool request_was_head) {
  FUZZ_CHECK(p.consumed > 0 && p.consumed <= buf.size());
  const std::string_view head = buf.substr(0, p.consumed);
  FUZZ_CHECK(head.size() >= 4 && head.substr(head.size() - 4) == "\r\n\r\n");
  FUZZ_CHECK(h.status >= 100 && h.status <= 599);  // S1
  FUZZ_CHECK(h.minor == 0 || h.minor == 1);
  for (const Header& f : h.headers) FUZZ_CHECK(!f.name.empty() && inside(f.name, head) && inside(f.value, head));
  // F8: no body for 1xx, 204, 304 or a response to HEAD; until_close never keeps the connection.
  if (request_was_head || h.status < 200 || h.status == 204 || h.status == 304) FUZZ_CHECK(h.framing == Framing::none);
  else FUZZ_CHECK(h.framing != Framing::none);
  if (h.framing == Framing::until_close) FUZZ_CHECK(!h.keep_alive);
  FUZZ_CHECK(h.framing != Framing::chunked || h.minor == 1);  // F6
  (void)h.header("content-type");
}

bool same_head(const ResponseHead& a, const ResponseHead& b) {
  if (a.status != b.status || a.minor != b.minor || a.framing != b.framing || a.content_length != b.content_length ||
      a.keep_alive != b.keep_alive || a.headers.size() != b.headers.size())
    return false;
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) return false;
  return true;
}

// One head at the start of `buf`, parsed in one piece and in two reads cut at `cut`.
Parsed head_both_ways(std::string_view buf, const Limits& limits, bool request_was_head, std::size_t cut,
                      ResponseHead& whole) {
  const Parsed once = parse_response_head(buf, limits, request_was_head, whole);
  if (once.kind == Parsed::complete) check_head(whole, buf, once, request_was_head);
  if (once.kind == Parsed::error) FUZZ_CHECK(once.err.status >= 400 && once.err.status <= 599 && !once.err.code.empty());
  if (once.kind == Parsed::incomplete) FUZZ_CHECK(buf.size() <= limits.max_head_bytes);  // L3

  ResponseHead first;
  const Parsed early = parse_response_head(buf.substr(0, cut), limits, request_was_head, first);
  if (early.kind == Parsed::complete) {
    // The head was all in the first read: the bytes after it cannot change it.
    FUZZ_CHECK(once.kind == Parsed::complete && once.consumed == early.consumed && same_head(first, whole));
  } else if (early.kind == Parsed::incomplete) {
    ResponseHead later;
    const Parsed next = parse_response_head(buf, limits, request_was_head, later, cut);
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
  return once;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ctrl, input] = airlock::fuzz::take_control_byte(data, size);
  const bool request_was_head = ctrl & 1;
  // client_conn's limits, or small ones that the fuzzer can reach.
  Limits limits{.max_head_bytes = 64 * 1024, .max_headers = 200};
  if (ctrl & 2) limits = Limits{.max_head_bytes = 256, .max_headers = 4, .max_target = 32};

  // Interim (1xx) heads are skipped as client_conn does; the first final head frames the body.
  std::string_view buf = input;
  ResponseHead head;
  for (;;) {  // each head consumes at least its CRLF CRLF, so this ends
    const std::size_t cut = airlock::fuzz::cut_point(static_cast<std::uint8_t>(ctrl & 0xfc), buf.size());
    const Parsed p = head_both_ways(buf, limits, request_was_head, cut, head);
    if (p.kind != Parsed::complete) return 0;
    buf.remove_prefix(p.consumed);
    if (head.status >= 200) break;
  }

  switch (head.framing) {
    case Framing::length: {
      // client_conn delivers at most content_length bytes; what follows belongs to no message.
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(head.content_length, buf.size()));
      FUZZ_CHECK(take <= head.content_length);
      break;
    }
    case Framing::chunked:
      airlock::fuzz::check_chunked(buf, (ctrl & 4) ? 64 : UINT64_MAX, 1 + (ctrl >> 5));
      break;
    case Framing::none:
    case Framing::until_close:
      break;
  }
  return 0;
}
