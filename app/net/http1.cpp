#include "net/http1.h"

#include <algorithm>
#include <array>

namespace airlock::net::http1 {
namespace {

// One table lookup per byte keeps the scan loops branch-light.
enum : std::uint8_t {
  kTchar = 1 << 0,
  kVchar = 1 << 1,      // %x21-7E
  kFieldByte = 1 << 2,  // HTAB SP VCHAR obs-text: field values, reason phrases
  kHex = 1 << 3,
  kHostByte = 1 << 4,
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x21; c <= 0x7e; ++c) t[c] |= kVchar | kFieldByte;
  for (int c = 0x80; c <= 0xff; ++c) t[c] |= kFieldByte;
  t['\t'] |= kFieldByte;
  t[' '] |= kFieldByte;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kTchar | kHex | kHostByte;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kTchar | kHostByte;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kTchar | kHostByte;
  for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
  for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] |= kTchar;
  for (unsigned char c : std::string_view("-._~%!$&'()*+,;=:[]")) t[c] |= kHostByte;
  return t;
}
constexpr std::array<std::uint8_t, 256> kClass = make_classes();

bool is(char c, std::uint8_t cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }
bool is_ows(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

constexpr int kMaxLeadingEmptyLines = 4;
constexpr std::uint32_t kMaxSizeDigits = 16;
constexpr std::uint32_t kMaxSizeLine = 256;
constexpr std::uint32_t kMaxTrailerBytes = 4096;

constexpr Error bad(std::string_view detail) { return {400, "bad_request", detail}; }
constexpr Error kHeadTooLarge{431, "headers_too_large", "head exceeds max_head_bytes"};
constexpr Error kTooManyFields{431, "headers_too_large", "more than max_headers fields"};
constexpr Error kTargetTooLong{414, "uri_too_long", "request-target exceeds max_target"};
constexpr Error kVersion{505, "http_version_not_supported", "HTTP version other than 1.0 or 1.1"};
constexpr Error kExpectation{417, "expectation_failed", "Expect other than 100-continue"};
constexpr Error kBodyTooLarge{413, "payload_too_large", "chunked body exceeds max_total"};
constexpr Error kTrailerTooLarge{431, "headers_too_large", "trailer section exceeds 4096 bytes"};

Parsed fail(Error e) { return {Parsed::error, 0, e}; }

// The head is scanned only up to max_head_bytes; running off that end means L3, not "wait".
struct Cursor {
  const char* begin;
  const char* p;
  const char* end;
  bool clipped;  // the buffer goes on past `end`

  Cursor(std::string_view buf, std::size_t max_head)
      : begin(buf.data()), p(buf.data()), end(buf.data() + std::min(buf.size(), max_head)),
        clipped(buf.size() > max_head) {}

  Parsed starved() const { return clipped ? fail(kHeadTooLarge) : Parsed{}; }

  // Consumes the CRLF that must be at p.
  bool crlf(Parsed& why, std::string_view detail) {
    if (p == end || (*p == '\r' && p + 1 == end)) {
      why = starved();
      return false;
    }
    if (p[0] != '\r' || p[1] != '\n') {
      why = fail(bad(detail));
      return false;
    }
    p += 2;
    return true;
  }
};

// With a `seen` hint, a call can only finish if CRLF CRLF ends somewhere in the new bytes.
bool cannot_finish(std::string_view buf, std::size_t seen) {
  if (seen == 0 || seen > buf.size()) return false;
  return buf.find("\r\n\r\n", seen >= 3 ? seen - 3 : 0) == std::string_view::npos;
}

Parsed wait_or_overflow(std::string_view buf, const Limits& limits) {
  return buf.size() > limits.max_head_bytes ? fail(kHeadTooLarge) : Parsed{};
}

// R3 and S1: the eight bytes at p, if present.
bool version(Cursor& c, int& minor, Parsed& why) {
  const std::size_t have = std::min<std::size_t>(8, static_cast<std::size_t>(c.end - c.p));
  for (std::size_t i = 0; i < have; ++i) {
    if (!is(c.p[i], kVchar)) {
      why = fail(bad("malformed HTTP version"));
      return false;
    }
  }
  if (have < 8) {
    why = c.starved();
    return false;
  }
  const std::string_view v(c.p, 8);
  c.p += 8;
  if (v == "HTTP/1.1" || v == "HTTP/1.0") {
    minor = v[7] - '0';
    return true;
  }
  auto digit = [](char d) { return d >= '0' && d <= '9'; };
  const bool shaped = v.substr(0, 5) == "HTTP/" && digit(v[5]) && v[6] == '.' && digit(v[7]);
  why = fail(shaped ? kVersion : bad("malformed HTTP version"));
  return false;
}

// What the framing and request rules need from the fields, gathered as each line is read.
struct Facts {
  std::uint64_t content_length = 0;
  int content_lengths = 0;
  int transfer_encodings = 0;
  int hosts = 0;
  bool close = false;
  bool keep_alive = false;
  bool expect_continue = false;
  bool expect_other = false;
};

bool parse_length(std::string_view v, std::uint64_t& n) {
  if (v.empty() || v.size() > 19) return false;
  n = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return true;
}

bool note_connection(std::string_view v, Facts& f) {
  for (;;) {
    const std::size_t comma = v.find(',');
    const std::string_view item = trim_ows(v.substr(0, comma));
    for (char ch : item)
      if (!is(ch, kTchar)) return false;
    if (iequals(item, "close")) f.close = true;
    if (iequals(item, "keep-alive")) f.keep_alive = true;
    if (comma == std::string_view::npos) return true;
    v.remove_prefix(comma + 1);
  }
}

// Field rules that can be judged one line at a time; returns a 400 detail, or empty when fine.
std::string_view note_field(const Header& h, bool request, Facts& f) {
  const std::string_view n = h.name;
  const std::string_view v = h.value;
  switch (n.size()) {
    case 4:
      if (request && iequals(n, "host")) {
        ++f.hosts;
        if (!std::all_of(v.begin(), v.end(), [](char ch) { return is(ch, kHostByte); }))
          return "Host has bytes outside reg-name, IP literal and port";
      }
      break;
    case 6:
      if (request && iequals(n, "expect")) {
        if (iequals(v, "100-continue"))
          f.expect_continue = true;
        else
          f.expect_other = true;
      }
      break;
    case 10:
      if (iequals(n, "connection") && !note_connection(v, f)) return "Connection is not a token list";
      break;
    case 14:
      if (iequals(n, "content-length")) {
        if (++f.content_lengths > 1) return "repeated Content-Length";
        if (!parse_length(v, f.content_length)) return "Content-Length is not 1*19DIGIT";
      }
      break;
    case 17:
      if (iequals(n, "transfer-encoding")) {
        if (++f.transfer_encodings > 1) return "repeated Transfer-Encoding";
        if (v != "chunked") return "Transfer-Encoding other than exactly chunked";
      }
      break;
    default:
      break;
  }
  return {};
}

// Field lines up to and including the empty line; complete carries the head's total size.
Parsed parse_fields(Cursor& c, const Limits& limits, bool request, std::vector<Header>& headers,
                    Facts& f) {
  for (;;) {
    if (c.p == c.end) return c.starved();
    if (*c.p == '\r') {
      Parsed why;
      if (!c.crlf(why, "bare CR")) return why;
      return {Parsed::complete, static_cast<std::size_t>(c.p - c.begin), {}};
    }
    if (is_ows(*c.p)) return fail(bad("obs-fold or whitespace before a field line"));
    if (headers.size() >= limits.max_headers) return fail(kTooManyFields);

    const char* name = c.p;
    while (c.p < c.end && is(*c.p, kTchar)) ++c.p;
    if (c.p == c.end) return c.starved();
    if (c.p == name || *c.p != ':') return fail(bad("field name is not a token followed by ':'"));
    const std::string_view name_view(name, static_cast<std::size_t>(c.p - name));
    ++c.p;
    while (c.p < c.end && is_ows(*c.p)) ++c.p;
    const char* value = c.p;
    while (c.p < c.end && is(*c.p, kFieldByte)) ++c.p;
    const char* value_end = c.p;
    while (value_end > value && is_ows(value_end[-1])) --value_end;
    Parsed why;
    if (!c.crlf(why, "control byte, bare CR or bare LF in a field line")) return why;

    headers.push_back({name_view, std::string_view(value, static_cast<std::size_t>(value_end - value))});
    const std::string_view detail = note_field(headers.back(), request, f);
    if (!detail.empty()) return fail(bad(detail));
  }
}

// F5 and F6, shared by both directions.
std::string_view framing_conflict(const Facts& f, int minor) {
  if (f.transfer_encodings > 0 && f.content_lengths > 0) return "Transfer-Encoding with Content-Length";
  if (f.transfer_encodings > 0 && minor == 0) return "Transfer-Encoding in HTTP/1.0";
  return {};
}

bool keeps_alive(const Facts& f, int minor) { return !f.close && (minor == 1 || f.keep_alive); }

const std::string_view* find_header(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

}  // namespace

const std::string_view* RequestHead::header(std::string_view name) const { return find_header(headers, name); }
const std::string_view* ResponseHead::header(std::string_view name) const { return find_header(headers, name); }

Parsed parse_request_head(std::string_view buf, const Limits& limits, RequestHead& out, std::size_t seen) {
  if (cannot_finish(buf, seen)) return wait_or_overflow(buf, limits);
  out.method = out.target = {};
  out.minor = 1;
  out.headers.clear();
  out.headers.reserve(std::min<std::size_t>(limits.max_headers, 32));
  out.framing = Framing::none;
  out.content_length = 0;
  out.keep_alive = true;
  out.expect_continue = false;

  Cursor c(buf, limits.max_head_bytes);
  Parsed why;
  for (int empty = 0; c.p < c.end && *c.p == '\r'; ++empty) {
    if (empty == kMaxLeadingEmptyLines) return fail(bad("too many empty lines before the request line"));
    if (!c.crlf(why, "bare CR before the request line")) return why;
  }

  const char* method = c.p;
  while (c.p < c.end && is(*c.p, kTchar)) ++c.p;
  if (c.p == c.end) return c.starved();
  if (c.p == method || *c.p != ' ') return fail(bad("method is not a token followed by one SP"));
  out.method = std::string_view(method, static_cast<std::size_t>(c.p - method));
  ++c.p;

  const char* target = c.p;
  while (c.p < c.end && is(*c.p, kVchar)) ++c.p;
  if (static_cast<std::size_t>(c.p - target) > limits.max_target) return fail(kTargetTooLong);
  if (c.p == c.end) return c.starved();
  if (c.p == target || *c.p != ' ') return fail(bad("request-target is not VCHARs followed by one SP"));
  out.target = std::string_view(target, static_cast<std::size_t>(c.p - target));
  ++c.p;

  if (!version(c, out.minor, why)) return why;
  if (!c.crlf(why, "request line does not end in CRLF")) return why;

  Facts f;
  Parsed done = parse_fields(c, limits, true, out.headers, f);
  if (done.kind != Parsed::complete) return done;

  if (out.minor == 1 ? f.hosts != 1 : f.hosts > 1) return fail(bad("Host missing or repeated"));
  if (const std::string_view conflict = framing_conflict(f, out.minor); !conflict.empty())
    return fail(bad(conflict));
  if (f.expect_other) return fail(kExpectation);

  out.framing = f.transfer_encodings > 0 ? Framing::chunked
                : f.content_lengths > 0  ? Framing::length
                                         : Framing::none;
  out.content_length = f.content_length;
  out.keep_alive = keeps_alive(f, out.minor);
  out.expect_continue = f.expect_continue && out.minor == 1;
  return done;
}

Parsed parse_response_head(std::string_view buf, const Limits& limits, bool request_was_head,
                           ResponseHead& out, std::size_t seen) {
  if (cannot_finish(buf, seen)) return wait_or_overflow(buf, limits);
  out.status = 0;
  out.minor = 1;
  out.headers.clear();
  out.headers.reserve(std::min<std::size_t>(limits.max_headers, 32));
  out.framing = Framing::none;
  out.content_length = 0;
  out.keep_alive = true;

  Cursor c(buf, limits.max_head_bytes);
  Parsed why;
  if (!version(c, out.minor, why)) return why;
  // SP, three digits from 100 to 599, then SP or CR: each byte checked as soon as it has arrived.
  for (std::size_t i = 0; i < 5; ++i) {
    if (c.p + i == c.end) return c.starved();
    const char ch = c.p[i];
    const bool fits = i == 0   ? ch == ' '
                      : i == 1 ? ch >= '1' && ch <= '5'
                      : i < 4  ? ch >= '0' && ch <= '9'
                               : ch == ' ' || ch == '\r';
    if (!fits) return fail(bad("status line is not version SP 3DIGIT"));
  }
  out.status = (c.p[1] - '0') * 100 + (c.p[2] - '0') * 10 + (c.p[3] - '0');
  c.p += 4;
  if (*c.p == ' ') {
    ++c.p;
    while (c.p < c.end && is(*c.p, kFieldByte)) ++c.p;
  }
  if (!c.crlf(why, "control byte, bare CR or bare LF in the status line")) return why;

  Facts f;
  Parsed done = parse_fields(c, limits, false, out.headers, f);
  if (done.kind != Parsed::complete) return done;
  if (const std::string_view conflict = framing_conflict(f, out.minor); !conflict.empty())
    return fail(bad(conflict));

  out.content_length = f.content_length;
  out.keep_alive = keeps_alive(f, out.minor);
  const bool bodiless = request_was_head || out.status < 200 || out.status == 204 || out.status == 304;
  if (bodiless) {
    out.framing = Framing::none;
  } else if (f.transfer_encodings > 0) {
    out.framing = Framing::chunked;
  } else if (f.content_lengths > 0) {
    out.framing = Framing::length;
  } else {
    out.framing = Framing::until_close;
    out.keep_alive = false;
  }
  return done;
}

ChunkedDecoder::Step ChunkedDecoder::fail(Error e, std::size_t consumed) {
  state_ = State::failed;
  err_ = e;
  return {Step::error, consumed, e};
}

ChunkedDecoder::Step ChunkedDecoder::feed(std::string_view in, std::string& out) {
  if (state_ == State::done) return {Step::done, 0, {}};
  if (state_ == State::failed) return {Step::error, 0, err_};

  std::size_t i = 0;
  while (i < in.size()) {
    if (state_ == State::data) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(size_, in.size() - i));
      out.append(in.data() + i, take);
      i += take;
      size_ -= take;
      if (size_ == 0) state_ = State::data_cr;
      continue;
    }

    const char ch = in[i++];
    if (state_ < State::size_lf && ch != '\r' && ++line_bytes_ > kMaxSizeLine)
      return fail(bad("chunk size line over 256 bytes"), i);
    if (state_ >= State::trailer_start && ++trailer_bytes_ > kMaxTrailerBytes) return fail(kTrailerTooLarge, i);

    switch (state_) {
      case State::size:
        if (is(ch, kHex)) {
          if (++digits_ > kMaxSizeDigits) return fail(bad("chunk size over 16 hex digits"), i);
          const int d = ch <= '9' ? ch - '0' : lower(ch) - 'a' + 10;
          size_ = size_ * 16 + static_cast<std::uint64_t>(d);
          // The size only grows with more digits, so an oversized chunk is refused before its end.
          if (size_ > max_total_ - total_) return fail(kBodyTooLarge, i);
        } else if (digits_ == 0) {
          return fail(bad("chunk size is not hex"), i);
        } else if (ch == ';') {
          state_ = State::ext_name_start;
        } else if (ch == '\r') {
          state_ = State::size_lf;
        } else {
          return fail(bad("chunk size followed by other than ';' or CRLF"), i);
        }
        break;
      case State::ext_name_start:
        if (!is(ch, kTchar)) return fail(bad("chunk extension name is not a token"), i);
        state_ = State::ext_name;
        break;
      case State::ext_name:
      case State::ext_token:
        if (is(ch, kTchar)) break;
        if (ch == '=' && state_ == State::ext_name) {
          state_ = State::ext_value_start;
        } else if (ch == ';') {
          state_ = State::ext_name_start;
        } else if (ch == '\r') {
          state_ = State::size_lf;
        } else {
          return fail(bad("malformed chunk extension"), i);
        }
        break;
      case State::ext_value_start:
        if (ch == '"') {
          state_ = State::ext_quoted;
        } else if (is(ch, kTchar)) {
          state_ = State::ext_token;
        } else {
          return fail(bad("chunk extension value is not a token or quoted-string"), i);
        }
        break;
      case State::ext_quoted:
        if (ch == '"') {
          state_ = State::ext_after_quoted;
        } else if (ch == '\\') {
          state_ = State::ext_quoted_pair;
        } else if (!is(ch, kFieldByte)) {
          return fail(bad("control byte in a chunk extension"), i);
        }
        break;
      case State::ext_quoted_pair:
        if (!is(ch, kFieldByte)) return fail(bad("control byte in a chunk extension"), i);
        state_ = State::ext_quoted;
        break;
      case State::ext_after_quoted:
        if (ch == ';') {
          state_ = State::ext_name_start;
        } else if (ch == '\r') {
          state_ = State::size_lf;
        } else {
          return fail(bad("malformed chunk extension"), i);
        }
        break;
      case State::size_lf:
        if (ch != '\n') return fail(bad("chunk size line does not end in CRLF"), i);
        if (size_ == 0) {
          state_ = State::trailer_start;
        } else {
          total_ += size_;
          state_ = State::data;
        }
        break;
      case State::data_cr:
        if (ch != '\r') return fail(bad("chunk data not followed by CRLF"), i);
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (ch != '\n') return fail(bad("chunk data not followed by CRLF"), i);
        state_ = State::size;
        digits_ = 0;
        line_bytes_ = 0;
        break;
      case State::trailer_start:
        if (ch == '\r') {
          state_ = State::final_lf;
        } else if (is(ch, kTchar)) {
          state_ = State::trailer_name;
        } else {
          return fail(bad("trailer line is not a field line"), i);
        }
        break;
      case State::trailer_name:
        if (ch == ':') {
          state_ = State::trailer_value;
        } else if (!is(ch, kTchar)) {
          return fail(bad("trailer field name is not a token followed by ':'"), i);
        }
        break;
      case State::trailer_value:
        if (ch == '\r') {
          state_ = State::trailer_lf;
        } else if (!is(ch, kFieldByte)) {
          return fail(bad("control byte or bare LF in a trailer field"), i);
        }
        break;
      case State::trailer_lf:
        if (ch != '\n') return fail(bad("bare CR in a trailer field"), i);
        state_ = State::trailer_start;
        break;
      case State::final_lf:
        if (ch != '\n') return fail(bad("bare CR after the trailer section"), i);
        state_ = State::done;
        return {Step::done, i, {}};
      case State::data:
      case State::done:
      case State::failed:
        break;  // handled before the switch
    }
  }
  return {Step::need_more, in.size(), {}};
}

}  // namespace airlock::net::http1
