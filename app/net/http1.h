#pragma once
// Strict HTTP/1.1 message heads and chunked bodies (RFC 9112, RFC 9110) for the epoll front end
// (requests) and the upstream client (responses). Where the RFCs let a recipient choose between
// tolerating and refusing, this parser refuses: a message two hops could frame differently is how
// requests are smuggled (ASVS 5.0 V4.2.1), and a repeated framing field is parameter pollution
// (V15.3.7). After any error the caller answers with err.status and closes the connection, since
// where the next message starts is no longer known.
//
// Every rejection below is 400 "bad_request" unless another status is named.
//
// Lines
//   L1  Lines end in CRLF. A bare CR or bare LF anywhere in a head is refused.
//   L2  Requests only: up to 4 empty lines (CRLF) before the request line are skipped and counted in
//       `consumed` (RFC 9112 §2.2); a fifth is refused.
//   L3  A head longer than max_head_bytes, counting skipped empty lines, is 431 "headers_too_large",
//       whether it is already complete or still arriving.
// Request line
//   R1  method = 1*tchar, then exactly one SP.
//   R2  request-target = 1*(%x21-7E), then exactly one SP. Longer than max_target: 414 "uri_too_long".
//       Its form (origin, absolute, authority, asterisk) is left to the router.
//   R3  The version is "HTTP/1.1" or "HTTP/1.0", then CRLF. Any other "HTTP/" DIGIT "." DIGIT is 505
//       "http_version_not_supported"; anything else is refused.
// Status line
//   S1  Version as in R3, SP, three digits in 100..599, then CRLF or SP reason CRLF, where
//       reason = *(HTAB / SP / VCHAR / obs-text).
// Field lines (trailers in chunked bodies follow H1-H3 too)
//   H1  field-name = 1*tchar, immediately followed by ':'; whitespace before the colon is refused.
//   H2  A line starting with SP or HTAB is refused: obs-fold, or whitespace after the start line.
//   H3  Value bytes are HTAB, SP, %x21-7E or %x80-FF; NUL, DEL and the other controls are refused.
//       Leading and trailing SP/HTAB are trimmed off the value.
//   H4  More than max_headers field lines: 431 "headers_too_large".
// Framing
//   F1  Content-Length = 1*19DIGIT, so it fits in uint64: no sign, inner space, list or hex.
//   F2  A second Content-Length is refused, even with the same value.
//   F3  Transfer-Encoding must be exactly "chunked" (lowercase, once trimmed). Everything else, valid
//       codings such as "gzip, chunked" or "Chunked" included, is 400 rather than 501: we decode no
//       other coding, and coding lists and letter case are where hops disagree.
//   F4  A second Transfer-Encoding is refused.
//   F5  Transfer-Encoding together with Content-Length is refused.
//   F6  Transfer-Encoding in an HTTP/1.0 message is refused (RFC 9112 §6.1: its framing is faulty).
//   F7  Requests: chunked with Transfer-Encoding, length with Content-Length (which may be 0), else
//       none.
//   F8  Responses: none for 1xx, 204, 304 and any response to HEAD (F1-F6 are still checked, and
//       content_length still reports the field); else chunked, length, or until_close, which also
//       clears keep_alive.
// Request fields
//   Q1  HTTP/1.1 requests carry exactly one Host, HTTP/1.0 requests at most one. Its value is empty
//       (RFC 9110 §7.2) or made of ALPHA DIGIT - . _ ~ % ! $ & ' ( ) * + , ; = : [ ] only, so a
//       space, '@' or '/' is refused.
//   Q2  Expect "100-continue" (any case) sets expect_continue, except in HTTP/1.0 where it is ignored
//       (RFC 9110 §10.1.1). Any other Expect value, empty included: 417 "expectation_failed", reported
//       only once the rest of the head is valid.
// Connection
//   C1  Connection is a comma list of tokens (any case; empty elements skipped; non-tokens refused).
//       "close" clears keep_alive; HTTP/1.0 keeps the connection only with "keep-alive" and no
//       "close".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::net::http1 {

// Views into the caller's buffer: valid while those bytes stay put and unchanged.
struct Header {
  std::string_view name;   // as sent; compare case-insensitively
  std::string_view value;  // OWS trimmed (H3)
};

struct Limits {
  std::size_t max_head_bytes = 16384;
  std::size_t max_headers = 100;
  std::size_t max_target = 8192;
};

enum class Framing { none, length, chunked, until_close /* responses only */ };

struct RequestHead {
  std::string_view method, target;
  int minor = 1;  // HTTP/1.minor, only 0 or 1
  std::vector<Header> headers;
  Framing framing = Framing::none;
  std::uint64_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
  // Case-insensitive, first match; nullptr when absent. Points into `headers`.
  const std::string_view* header(std::string_view name) const;
};

struct ResponseHead {
  int status = 0;
  int minor = 1;
  std::vector<Header> headers;
  Framing framing = Framing::none;
  std::uint64_t content_length = 0;
  bool keep_alive = true;
  const std::string_view* header(std::string_view name) const;
};

struct Error {
  int status = 0;
  std::string_view code;    // snake_case for the error body, e.g. "bad_request"
  std::string_view detail;  // which rule, for logs; fixed text, never echoes input
};

struct Parsed {
  enum Kind { incomplete, complete, error };
  Kind kind = incomplete;
  std::size_t consumed = 0;  // complete: bytes of the head; the body or next message follows
  Error err{};
};

// Parses the head at the start of `buf`, which holds every byte received so far for this message.
// On incomplete, call again once more bytes have arrived; `out` is reset on every call and its
// views are only meaningful after complete. Each call is one pass over the buffer. Passing `seen`,
// the size of the buffer at the previous call that returned incomplete, skips that pass until a
// CRLF CRLF (which ends every head) shows up in the new bytes, so a peer sending a byte at a time
// costs linear rather than quadratic work; errors are then reported when the head ends or
// overflows L3 instead of at the first bad byte.
Parsed parse_request_head(std::string_view buf, const Limits& limits, RequestHead& out,
                          std::size_t seen = 0);

// `request_was_head`: the request was HEAD, so the response has no body whatever its fields say.
Parsed parse_response_head(std::string_view buf, const Limits& limits, bool request_was_head,
                           ResponseHead& out, std::size_t seen = 0);

// Decodes one chunked body (RFC 9112 §7.1), fed in any split of its bytes, one byte at a time
// included. It keeps no input bytes, so every need_more consumes all of `in`.
//   K1  chunk-size = 1*16HEXDIG. A 17th digit is refused, leading zeros included.
//   K2  A chunk that would take the decoded total over max_total: 413 "payload_too_large", raised
//       while the size is still being read.
//   K3  Chunk extensions ";name[=value]" (name a token, value a token or quoted-string) are checked
//       and skipped. No whitespace anywhere in the size line: the BWS that RFC 9112 allows around
//       ';' and '=' is refused, as senders do not use it and parsers disagree on it.
//   K4  The size line, extensions included, is at most 256 bytes before its CRLF.
//   K5  CRLF exactly after the size line and after the chunk data; anything else is refused.
//   K6  After the last chunk ("0"), trailer fields follow H1-H3 and are dropped, then CRLF ends the
//       body. The trailer section, final CRLF included, is at most 4096 bytes: 431
//       "headers_too_large".
//   K7  Framing (size lines, extensions, CRLFs, trailers) may not outgrow the data it frames:
//       beyond a 64 KiB allowance, at most one framing byte per data byte. So the raw bytes held
//       for one body stay under 2 × max_total + 64 KiB (1-byte chunks with 256-byte extensions
//       once made them ~260 × the decoded size). 400 otherwise.
// After done or error, feed consumes nothing and repeats that outcome.
class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(std::uint64_t max_total = UINT64_MAX) : max_total_(max_total) {}

  struct Step {
    enum Kind { need_more, done, error };
    Kind kind = need_more;
    std::size_t consumed = 0;  // done: bytes of `in` that belong to the body; the rest is the next message
    Error err{};
  };

  // Appends the decoded bytes to `out`.
  Step feed(std::string_view in, std::string& out);

  // Decoded bytes so far, the current chunk counted whole once its size line has ended.
  std::uint64_t total() const { return total_; }

 private:
  // Order matters to feed(): the size-line states come before size_lf, the trailer states after data_lf.
  enum class State : std::uint8_t {
    size, ext_name_start, ext_name, ext_value_start, ext_token, ext_quoted, ext_quoted_pair,
    ext_after_quoted, size_lf, data, data_cr, data_lf, trailer_start, trailer_name, trailer_value,
    trailer_lf, final_lf, done, failed,
  };
  Step fail(Error e, std::size_t consumed);

  std::uint64_t max_total_;
  std::uint64_t total_ = 0;
  std::uint64_t size_ = 0;       // size line being read, then bytes left of this chunk's data
  std::uint32_t digits_ = 0;
  std::uint32_t line_bytes_ = 0;
  std::uint32_t trailer_bytes_ = 0;
  std::uint64_t framing_ = 0;  // K7
  State state_ = State::size;
  Error err_{};
};

}  // namespace airlock::net::http1
