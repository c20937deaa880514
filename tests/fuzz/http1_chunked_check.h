#pragma once
// The chunked decoder run twice over the same body, once in one piece and once cut into small
// pieces, for the two HTTP/1.1 targets. K-rules are in net/http1.h.
#include <algorithm>
#include <string>

#include "fuzz_check.h"
#include "net/http1.h"

namespace airlock::fuzz {

struct Decoded {
  net::http1::ChunkedDecoder::Step::Kind kind = net::http1::ChunkedDecoder::Step::need_more;
  std::size_t end = 0;  // offset in the body where done or error came, else its size
  int status = 0;
  std::string bytes;
};

// Feeds `body` in pieces of `piece` bytes (0: in one piece) and checks each step's promises.
inline Decoded decode_chunked(std::string_view body, std::uint64_t max_total, std::size_t piece) {
  using Step = net::http1::ChunkedDecoder::Step;
  net::http1::ChunkedDecoder d(max_total);
  Decoded r;
  std::size_t at = 0;
  do {
    const std::size_t n = piece == 0 ? body.size() - at : std::min(piece, body.size() - at);
    const Step s = d.feed(body.substr(at, n), r.bytes);
    // total() counts a chunk's whole size once its size line has ended, so it runs ahead of the
    // bytes handed out while that chunk's data is still arriving (http1.h says "decoded bytes").
    FUZZ_CHECK(d.total() >= r.bytes.size());
    FUZZ_CHECK(d.total() <= max_total);  // K2
    if (s.kind == Step::done) FUZZ_CHECK(d.total() == r.bytes.size());
    if (s.kind == Step::need_more) {
      FUZZ_CHECK(s.consumed == n);  // need_more keeps no input bytes
      at += n;
      continue;
    }
    FUZZ_CHECK(s.consumed <= n);
    r.kind = s.kind;
    r.end = at + s.consumed;
    r.status = s.err.status;
    if (s.kind == Step::error) FUZZ_CHECK(s.err.status >= 400 && s.err.status <= 599 && !s.err.code.empty());
    // After done or error the decoder consumes nothing and repeats the outcome.
    std::string more;
    const Step again = d.feed(body.substr(r.end), more);
    FUZZ_CHECK(again.kind == s.kind && again.consumed == 0 && more.empty());
    return r;
  } while (at < body.size());
  r.end = at;
  return r;
}

// Both ways must agree on the outcome, where it came, and the decoded bytes.
inline void check_chunked(std::string_view body, std::uint64_t max_total, std::size_t piece) {
  const Decoded whole = decode_chunked(body, max_total, 0);
  const Decoded cut = decode_chunked(body, max_total, piece);
  FUZZ_CHECK(whole.kind == cut.kind);
  FUZZ_CHECK(whole.end == cut.end);
  FUZZ_CHECK(whole.status == cut.status);
  FUZZ_CHECK(whole.bytes == cut.bytes);
}

}  // namespace airlock::fuzz
