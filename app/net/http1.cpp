#include "net/http1.h"

#include <algorithm>
#include <array>

#include "net/http1_chars.h"

namespace airlock::net::http1 {
namespace {

using namespace detail;

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

}  // namespace airlock::net::http1
