#include "net/http1.h"

#include <catch2/catch_test_macros.hpp>

#include <cstdio>
#include <string>
#include <vector>

using namespace airlock::net::http1;

namespace {

// A request that is valid as it stands, so a test's one added field is the only thing on trial.
std::string post(std::string_view fields) {
  return "POST /v1/chat HTTP/1.1\r\nHost: api.example\r\n" + std::string(fields) + "\r\n";
}

Parsed parse(std::string_view raw, RequestHead& h, const Limits& limits = {}) {
  return parse_request_head(raw, limits, h);
}

// Why `raw` is refused; the test fails if it is accepted or still incomplete.
Error refused(std::string_view raw, const Limits& limits = {}) {
  RequestHead h;
  const Parsed p = parse_request_head(raw, limits, h);
  INFO("request: " << raw);
  REQUIRE(p.kind == Parsed::error);
  return p.err;
}

// True when `raw` is refused with 400 for the rule whose detail mentions `rule`, so a test cannot
// pass because some other check happened to catch the same bytes.
bool refused_for(std::string_view raw, std::string_view rule) {
  const Error e = refused(raw);
  INFO("detail: " << e.detail);
  return e.status == 400 && e.code == "bad_request" && e.detail.find(rule) != std::string_view::npos;
}

Error response_refused(std::string_view raw, bool head = false) {
  ResponseHead h;
  const Parsed p = parse_response_head(raw, Limits{}, head, h);
  INFO("response: " << raw);
  REQUIRE(p.kind == Parsed::error);
  return p.err;
}

struct Decoded {
  ChunkedDecoder::Step::Kind kind = ChunkedDecoder::Step::need_more;
  std::size_t consumed = 0;  // offset into the whole wire
  std::string body;
  Error err{};
};

// Feeds `wire` cut at the ascending offsets in `cuts`, stopping at done or error.
Decoded decode(std::string_view wire, std::vector<std::size_t> cuts = {}, std::uint64_t max_total = UINT64_MAX) {
  ChunkedDecoder d(max_total);
  Decoded r;
  cuts.push_back(wire.size());
  std::size_t at = 0;
  for (std::size_t end : cuts) {
    const ChunkedDecoder::Step s = d.feed(wire.substr(at, end - at), r.body);
    if (s.kind != ChunkedDecoder::Step::need_more) {
      r.kind = s.kind;
      r.consumed = at + s.consumed;
      r.err = s.err;
      return r;
    }
    REQUIRE(s.consumed == end - at);
    at = end;
  }
  r.consumed = at;
  return r;
}

std::vector<std::size_t> every_byte(std::size_t n) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < n; ++i) cuts.push_back(i);
  return cuts;
}

}  // namespace

// --- Framing: Content-Length and Transfer-Encoding ---

TEST_CASE("V4.2.1 Content-Length together with Transfer-Encoding is refused in either order", "[http1][V4.2.1]") {
  RequestHead h;
  const std::string te = post("Transfer-Encoding: chunked\r\n");
  REQUIRE(parse(te, h).kind == Parsed::complete);
  CHECK(h.framing == Framing::chunked);
  const std::string cl = post("Content-Length: 5\r\n");
  REQUIRE(parse(cl, h).kind == Parsed::complete);
  CHECK(h.framing == Framing::length);
  CHECK(h.content_length == 5);

  CHECK(refused_for(post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), "with Content-Length"));
  CHECK(refused_for(post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), "with Content-Length"));
  CHECK(refused_for(post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"), "with Content-Length"));
}

TEST_CASE("V4.2.1 Transfer-Encoding other than exactly chunked is refused", "[http1][V4.2.1]") {
  for (const char* v : {"gzip, chunked", "chunked, identity", "Chunked", "CHUNKED", "chunked;x", "", "identity",
                        "gzip", "chunked,", ",chunked", "chunked chunked", "\"chunked\""}) {
    CAPTURE(v);
    const Error e = refused(post("Transfer-Encoding: " + std::string(v) + "\r\n"));
    CHECK(e.status == 400);
    CHECK(e.code == "bad_request");
    CHECK(e.detail == "Transfer-Encoding other than exactly chunked");
  }
  RequestHead h;
  const std::string padded = post("transfer-encoding: \t chunked \t\r\n");
  REQUIRE(parse(padded, h).kind == Parsed::complete);
  CHECK(h.framing == Framing::chunked);
}

TEST_CASE("V4.2.1 V15.3.7 a repeated Transfer-Encoding is refused", "[http1][V4.2.1][V15.3.7]") {
  CHECK(refused_for(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
                    "repeated Transfer-Encoding"));
  CHECK(refused_for(post("Transfer-Encoding: chunked\r\nX-Pad: 1\r\ntransfer-encoding: chunked\r\n"),
                    "repeated Transfer-Encoding"));
}

TEST_CASE("V4.2.1 Transfer-Encoding in an HTTP/1.0 request is refused", "[http1][V4.2.1]") {
  RequestHead h;
  REQUIRE(parse("POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n", h).kind == Parsed::complete);
  CHECK(h.framing == Framing::length);
  CHECK(refused_for("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.0"));
}

TEST_CASE("V4.2.1 V15.3.7 a second Content-Length is refused, same value or not", "[http1][V4.2.1][V15.3.7]") {
  CHECK(refused_for(post("Content-Length: 5\r\nContent-Length: 6\r\n"), "repeated Content-Length"));
  CHECK(refused_for(post("Content-Length: 5\r\nContent-Length: 5\r\n"), "repeated Content-Length"));
  CHECK(refused_for(post("Content-Length: 5\r\ncontent-length: 5\r\n"), "repeated Content-Length"));
}

TEST_CASE("V4.2.1 Content-Length is 1*19DIGIT and nothing else", "[http1][V4.2.1]") {
  for (const char* v : {"+5", "-5", " 5 5", "5 5", "5,5", "5, 5", "0x5", "5a", "", "1e3", "5.0",
                        "12345678901234567890", "99999999999999999999"}) {
    CAPTURE(v);
    const Error e = refused(post("Content-Length: " + std::string(v) + "\r\n"));
    CHECK(e.status == 400);
    CHECK(e.detail == "Content-Length is not 1*19DIGIT");
  }
  RequestHead h;
  const std::string zeros = post("Content-Length: 007\r\n");
  REQUIRE(parse(zeros, h).kind == Parsed::complete);
  CHECK(h.content_length == 7);
  const std::string widest = post("Content-Length: 9999999999999999999\r\n");
  REQUIRE(parse(widest, h).kind == Parsed::complete);
  CHECK(h.content_length == 9999999999999999999ULL);
  const std::string empty_body = post("Content-Length: 0\r\n");
  REQUIRE(parse(empty_body, h).kind == Parsed::complete);
  CHECK(h.framing == Framing::length);
  CHECK(h.content_length == 0);
}

TEST_CASE("requests without Content-Length or Transfer-Encoding have no body", "[http1]") {
  RequestHead h;
  REQUIRE(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n", h).kind == Parsed::complete);
  CHECK(h.framing == Framing::none);
  CHECK(h.content_length == 0);
}

// --- Line and field syntax ---

TEST_CASE("V4.2.1 obs-fold and whitespace after the request line are refused", "[http1][V4.2.1]") {
  CHECK(refused_for(post("X-A: one\r\n two\r\n"), "obs-fold"));
  CHECK(refused_for(post("X-A: one\r\n\ttwo\r\n"), "obs-fold"));
  CHECK(refused_for(post("Transfer-Encoding: chunked\r\n , identity\r\n"), "obs-fold"));
  CHECK(refused_for("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "obs-fold"));
}

TEST_CASE("V4.2.1 bare CR and bare LF are refused in the request line and field lines", "[http1][V4.2.1]") {
  for (const char* raw : {
           "GET / HTTP/1.1\nHost: a\r\n\r\n",       // request line ends in LF
           "GET / HTTP/1.1\rHost: a\r\n\r\n",       // request line ends in CR
           "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n",  // CR inside the target
           "GET /a\nb HTTP/1.1\r\nHost: a\r\n\r\n",  // LF inside the target
           "GET\r/ HTTP/1.1\r\nHost: a\r\n\r\n",     // CR after the method
           "GET / HTTP/1.1\r\nHost: a\n\r\n",        // field line ends in LF
           "GET / HTTP/1.1\r\nHost: a\r\r\n",        // field line ends in CR CR LF
           "GET / HTTP/1.1\r\nX-A: 1\r2\r\nHost: a\r\n\r\n",  // CR inside a value
           "GET / HTTP/1.1\r\nX-A: 1\n2\r\nHost: a\r\n\r\n",  // LF inside a value
           "GET / HTTP/1.1\r\nX\nA: 1\r\nHost: a\r\n\r\n",    // LF inside a name
           "GET / HTTP/1.1\r\nHost: a\r\n\n",        // head ends in LF
           "GET / HTTP/1.1\r\nHost: a\r\n\rX",       // head ends in bare CR
           "GET / HTTP/1.1\n\n",                     // LF-only head
           "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",    // bare LF before the request line
           "\r\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",  // bare CR before the request line
       }) {
    CAPTURE(raw);
    const Error e = refused(raw);
    CHECK(e.status == 400);
  }
}

TEST_CASE("V4.2.1 NUL, DEL and other controls in a field value are refused", "[http1][V4.2.1]") {
  for (char ctl : {'\0', '\x01', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f'}) {
    CAPTURE(static_cast<int>(ctl));
    std::string field = "X-A: a";
    field += ctl;
    field += "b\r\n";
    CHECK(refused_for(post(field), "control byte"));
  }
  RequestHead h;
  const std::string fine = post("X-A: a\tb \x80\xff\r\n");
  REQUIRE(parse(fine, h).kind == Parsed::complete);
  CHECK(*h.header("x-a") == "a\tb \x80\xff");
}

TEST_CASE("V4.2.1 whitespace between a field name and its colon is refused", "[http1][V4.2.1]") {
  CHECK(refused_for(post("Content-Length : 5\r\n"), "followed by ':'"));
  CHECK(refused_for(post("Transfer-Encoding\t: chunked\r\n"), "followed by ':'"));
  CHECK(refused_for("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "followed by ':'"));
  CHECK(refused_for(post(": no-name\r\n"), "followed by ':'"));
  CHECK(refused_for(post("X@A: 1\r\n"), "followed by ':'"));
  CHECK(refused_for(post("X-A\r\n"), "followed by ':'"));
}

TEST_CASE("field values are trimmed and looked up case-insensitively, first match", "[http1]") {
  RequestHead h;
  const std::string raw = post("Content-Type: \t application/json \t\r\nX-Dup: one\r\nx-dup: two\r\nX-Empty:\r\n");
  REQUIRE(parse(raw, h).kind == Parsed::complete);
  REQUIRE(h.header("CONTENT-TYPE") != nullptr);
  CHECK(*h.header("content-type") == "application/json");
  CHECK(*h.header("X-DUP") == "one");
  CHECK(h.header("x-empty")->empty());
  CHECK(h.header("x-missing") == nullptr);
  CHECK(h.headers.size() == 5);
  CHECK(h.headers[1].name == "Content-Type");
  CHECK(h.method == "POST");
  CHECK(h.target == "/v1/chat");
  CHECK(h.minor == 1);
}

TEST_CASE("a reused RequestHead keeps nothing from the previous request", "[http1]") {
  RequestHead h;
  const std::string first = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n"
                            "Connection: close\r\n\r\n";
  REQUIRE(parse(first, h).kind == Parsed::complete);
  CHECK(h.framing == Framing::chunked);
  REQUIRE(parse("GET /b HTTP/1.1\r\nHost: b\r\n\r\n", h).kind == Parsed::complete);
  CHECK(h.framing == Framing::none);
  CHECK_FALSE(h.expect_continue);
  CHECK(h.keep_alive);
  CHECK(h.headers.size() == 1);
  CHECK(h.target == "/b");
}

// --- Request line ---

TEST_CASE("the request line is token SP visible-target SP version, single spaces", "[http1]") {
  for (const char* raw : {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n",
                          "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", " GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                          "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
                          "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", "GET HTTP/1.1\r\nHost: a\r\n\r\n",
                          "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    CAPTURE(raw);
    CHECK(refused(raw).status == 400);
  }
  RequestHead h;
  REQUIRE(parse("M-SEARCH * HTTP/1.1\r\nHost: a\r\n\r\n", h).kind == Parsed::complete);
  CHECK(h.method == "M-SEARCH");
  CHECK(h.target == "*");
}

TEST_CASE("other HTTP/x.y versions get 505, malformed versions 400", "[http1]") {
  for (const char* v : {"HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"}) {
    CAPTURE(v);
    const Error e = refused("GET / " + std::string(v) + "\r\nHost: a\r\n\r\n");
    CHECK(e.status == 505);
    CHECK(e.code == "http_version_not_supported");
  }
  for (const char* v : {"http/1.1", "HTTP/1.10", "HTTP/1", "HTTP/11", "HTTX/1.1", "HTTP/1.1x", "HTTP/a.b"}) {
    CAPTURE(v);
    CHECK(refused("GET / " + std::string(v) + "\r\nHost: a\r\n\r\n").status == 400);
  }
}

TEST_CASE("leading empty lines before a request line are skipped, a few only", "[http1]") {
  RequestHead h;
  const std::string raw = "\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
  const Parsed p = parse(raw, h);
  REQUIRE(p.kind == Parsed::complete);
  CHECK(p.consumed == raw.size());
  CHECK(h.method == "GET");
  CHECK(refused_for("\r\n" + raw, "empty lines"));
}

// --- Host ---

TEST_CASE("V15.3.7 an HTTP/1.1 request carries exactly one Host", "[http1][V15.3.7]") {
  CHECK(refused_for("GET / HTTP/1.1\r\n\r\n", "Host missing"));
  CHECK(refused_for("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", "repeated"));
  CHECK(refused_for("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "repeated"));
  CHECK(refused_for("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "repeated"));
}

TEST_CASE("an HTTP/1.0 request may leave out Host", "[http1]") {
  RequestHead h;
  REQUIRE(parse("GET / HTTP/1.0\r\n\r\n", h).kind == Parsed::complete);
  CHECK(h.minor == 0);
  CHECK(h.header("host") == nullptr);
}

TEST_CASE("Host holds only reg-name, IP-literal and port bytes", "[http1]") {
  for (const char* v : {"a b", "user@evil.example", "api.example/x", "a\\b", "a\"b", "a?b", "a#b", "a<b"}) {
    CAPTURE(v);
    CHECK(refused_for("GET / HTTP/1.1\r\nHost: " + std::string(v) + "\r\n\r\n", "Host has bytes"));
  }
  for (const char* v : {"api.example:8443", "[::1]:80", "127.0.0.1", "xn--bcher-kva.example", ""}) {
    CAPTURE(v);
    RequestHead h;
    const std::string raw = "GET / HTTP/1.1\r\nHost: " + std::string(v) + "\r\n\r\n";
    CHECK(parse(raw, h).kind == Parsed::complete);
  }
}

// --- Limits ---

TEST_CASE("a request-target over max_target gets 414", "[http1]") {
  Limits l;
  l.max_target = 16;
  RequestHead h;
  const std::string at_limit = "GET /" + std::string(15, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  CHECK(parse(at_limit, h, l).kind == Parsed::complete);
  const Error e = refused("GET /" + std::string(16, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", l);
  CHECK(e.status == 414);
  CHECK(e.code == "uri_too_long");
  // Refused while the line is still arriving, not once the head is complete.
  CHECK(refused("GET /" + std::string(9000, 'a')).status == 414);
}

TEST_CASE("more than max_headers fields get 431", "[http1]") {
  Limits l;
  l.max_headers = 3;
  RequestHead h;
  const std::string three = "GET / HTTP/1.1\r\nHost: a\r\nX-1: 1\r\nX-2: 2\r\n\r\n";
  CHECK(parse(three, h, l).kind == Parsed::complete);
  const Error e = refused("GET / HTTP/1.1\r\nHost: a\r\nX-1: 1\r\nX-2: 2\r\nX-3: 3\r\n\r\n", l);
  CHECK(e.status == 431);
  CHECK(e.code == "headers_too_large");

  std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 100; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  CHECK(refused(many + "\r\n").status == 431);
}

TEST_CASE("a head over max_head_bytes gets 431, complete or still arriving", "[http1]") {
  const std::string raw = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + std::string(100, 'p') + "\r\n\r\n";
  Limits l;
  l.max_head_bytes = raw.size();
  RequestHead h;
  CHECK(parse(raw, h, l).kind == Parsed::complete);
  l.max_head_bytes = raw.size() - 1;
  CHECK(refused(raw, l).status == 431);
  CHECK(refused("\r\n" + raw, Limits{raw.size() + 1}).status == 431);  // skipped empty lines count

  // Never finished: waits up to the limit, then refuses instead of buffering on.
  const std::string endless = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + std::string(20000, 'p');
  l.max_head_bytes = 16384;
  CHECK(parse(std::string_view(endless).substr(0, 16384), h, l).kind == Parsed::incomplete);
  const Error e = refused(std::string_view(endless).substr(0, 16385), l);
  CHECK(e.status == 431);
  CHECK(e.code == "headers_too_large");
}

// --- Smuggling: a second request inside a body stays body bytes ---

TEST_CASE("V4.2.1 a request hidden in a Content-Length body is read as body bytes", "[http1][V4.2.1]") {
  const std::string hidden = "GET /admin HTTP/1.1\r\nHost: internal\r\n\r\n";
  const std::string head =
      "POST /v1/chat HTTP/1.1\r\nHost: api.example\r\nContent-Length: " + std::to_string(hidden.size()) + "\r\n\r\n";
  const std::string next = "GET /next HTTP/1.1\r\nHost: api.example\r\n\r\n";
  const std::string wire = head + hidden + next;

  RequestHead h;
  const Parsed p = parse(wire, h);
  REQUIRE(p.kind == Parsed::complete);
  CHECK(p.consumed == head.size());
  REQUIRE(h.framing == Framing::length);
  REQUIRE(h.content_length == hidden.size());
  CHECK(wire.substr(p.consumed, h.content_length) == hidden);

  RequestHead second;
  const std::string_view rest = std::string_view(wire).substr(p.consumed + h.content_length);
  REQUIRE(parse(rest, second).kind == Parsed::complete);
  CHECK(second.target == "/next");
}

TEST_CASE("V4.2.1 a request hidden in a chunked body is read as body bytes", "[http1][V4.2.1]") {
  const std::string hidden = "GET /admin HTTP/1.1\r\nHost: internal\r\n\r\n";
  const std::string head = "POST /v1/chat HTTP/1.1\r\nHost: api.example\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size[32];
  std::snprintf(size, sizeof size, "%zx", hidden.size());
  const std::string body = std::string(size) + "\r\n" + hidden + "\r\n0\r\n\r\n";
  const std::string next = "GET /next HTTP/1.1\r\nHost: api.example\r\n\r\n";
  const std::string wire = head + body + next;

  RequestHead h;
  const Parsed p = parse(wire, h);
  REQUIRE(p.kind == Parsed::complete);
  CHECK(p.consumed == head.size());
  REQUIRE(h.framing == Framing::chunked);

  const Decoded d = decode(std::string_view(wire).substr(p.consumed));
  REQUIRE(d.kind == ChunkedDecoder::Step::done);
  CHECK(d.body == hidden);
  CHECK(d.consumed == body.size());

  RequestHead second;
  REQUIRE(parse(std::string_view(wire).substr(p.consumed + d.consumed), second).kind == Parsed::complete);
  CHECK(second.target == "/next");
}

// --- Incremental parsing ---

TEST_CASE("every prefix of a valid request head is incomplete, the whole is complete", "[http1]") {
  const std::string raw =
      "\r\nPOST /v1/chat?x=1 HTTP/1.1\r\nHost: api.example\r\nContent-Length: 4\r\nX-A: \t v \t\r\n\r\n";
  const std::string wire = raw + "body";
  RequestHead h;
  CHECK(parse(std::string_view{}, h).kind == Parsed::incomplete);
  std::size_t seen = 0;
  for (std::size_t n = 0; n < raw.size(); ++n) {
    CAPTURE(n);
    CHECK(parse(std::string_view(wire).substr(0, n), h).kind == Parsed::incomplete);
    CHECK(parse_request_head(std::string_view(wire).substr(0, n), Limits{}, h, seen).kind == Parsed::incomplete);
    seen = n;
  }
  for (std::size_t hint : {std::size_t{0}, seen}) {
    const Parsed p = parse_request_head(wire, Limits{}, h, hint);
    REQUIRE(p.kind == Parsed::complete);
    CHECK(p.consumed == raw.size());
    CHECK(h.content_length == 4);
    CHECK(*h.header("x-a") == "v");
  }
}

TEST_CASE("the seen hint defers errors to the end of the head or the size limit", "[http1]") {
  const std::string raw = "GET / HTTP/1.1\nHost: a\r\n\r\n";
  RequestHead h;
  CHECK(parse(std::string_view(raw).substr(0, 16), h).kind == Parsed::error);
  CHECK(parse_request_head(std::string_view(raw).substr(0, 16), Limits{}, h, 15).kind == Parsed::incomplete);
  CHECK(parse_request_head(raw, Limits{}, h, raw.size() - 1).kind == Parsed::error);

  Limits l;
  l.max_head_bytes = 64;
  const std::string endless = "GET / HTTP/1.1\r\nX: " + std::string(100, 'x');
  CHECK(parse_request_head(std::string_view(endless).substr(0, 64), l, h, 63).kind == Parsed::incomplete);
  CHECK(parse_request_head(std::string_view(endless).substr(0, 65), l, h, 64).err.status == 431);
}

// --- Connection and Expect ---

TEST_CASE("keep-alive follows the version and the Connection tokens", "[http1]") {
  struct Case {
    const char* raw;
    bool keep_alive;
  };
  for (const Case& c : {
           Case{"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: CLOSE\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, close\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: , ,close,\r\n\r\n", false},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n", true},
           Case{"GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\n\r\n", false},
           Case{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true},
           Case{"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false},
           Case{"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
       }) {
    CAPTURE(c.raw);
    RequestHead h;
    REQUIRE(parse(c.raw, h).kind == Parsed::complete);
    CHECK(h.keep_alive == c.keep_alive);
  }
  CHECK(refused_for("GET / HTTP/1.1\r\nHost: a\r\nConnection: close;x\r\n\r\n", "token list"));
  CHECK(refused_for("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep alive\r\n\r\n", "token list"));
}

TEST_CASE("Expect: 100-continue is the only expectation met", "[http1]") {
  RequestHead h;
  const std::string cont = post("Content-Length: 3\r\nExpect: 100-Continue\r\n");
  REQUIRE(parse(cont, h).kind == Parsed::complete);
  CHECK(h.expect_continue);
  REQUIRE(parse("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", h).kind == Parsed::complete);
  CHECK_FALSE(h.expect_continue);  // HTTP/1.0 clients cannot wait for a 100 (RFC 9110 §10.1.1)

  for (const char* v : {"200-ok", "", "100-continue, x", "100-continuex"}) {
    CAPTURE(v);
    const Error e = refused(post("Expect: " + std::string(v) + "\r\n"));
    CHECK(e.status == 417);
    CHECK(e.code == "expectation_failed");
  }
  // A head that is wrong in another way is a 400: no 417 promises the rest was fine.
  CHECK(refused("GET / HTTP/1.1\r\nExpect: x\r\n\r\n").status == 400);
}

// --- Responses ---

TEST_CASE("status lines: three digits in 100..599, reason optional", "[http1][response]") {
  struct Case {
    const char* raw;
    int status;
  };
  for (const Case& c : {Case{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200},
                        Case{"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 200},
                        Case{"HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", 404},
                        Case{"HTTP/1.1 599 Odd\treason \x80\xff\r\nContent-Length: 0\r\n\r\n", 599},
                        Case{"HTTP/1.0 100 Continue\r\n\r\n", 100}}) {
    CAPTURE(c.raw);
    ResponseHead h;
    REQUIRE(parse_response_head(c.raw, Limits{}, false, h).kind == Parsed::complete);
    CHECK(h.status == c.status);
  }
  for (const char* raw : {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 OK\r\n\r\n",
                          "HTTP/1.1 600 OK\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1\t200 OK\r\n\r\n",
                          "HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP/1.1 200 OK\n\r\n", "HTTP/1.1 200 OK\rX\r\n\r\n",
                          "http/1.1 200 OK\r\n\r\n", "\r\nHTTP/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n"}) {
    CAPTURE(raw);
    CHECK(response_refused(raw).status == 400);
  }
  CHECK(response_refused("HTTP/2.0 200 OK\r\n\r\n").status == 505);
}

TEST_CASE("responses to HEAD and 1xx, 204, 304 responses have no body", "[http1][response]") {
  struct Case {
    const char* raw;
    bool head;
  };
  for (const Case& c : {Case{"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", false},
                        Case{"HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n", false},
                        Case{"HTTP/1.1 100 Continue\r\n\r\n", false},
                        Case{"HTTP/1.1 101 Switching Protocols\r\n\r\n", false},
                        Case{"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", true},
                        Case{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true},
                        Case{"HTTP/1.1 200 OK\r\n\r\n", true}}) {
    CAPTURE(c.raw);
    ResponseHead h;
    REQUIRE(parse_response_head(c.raw, Limits{}, c.head, h).kind == Parsed::complete);
    CHECK(h.framing == Framing::none);
    CHECK(h.keep_alive);
  }
  ResponseHead h;
  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", Limits{}, true, h).kind ==
          Parsed::complete);
  CHECK(h.content_length == 1234);  // what a GET would have returned
}

TEST_CASE("response bodies are chunked, counted, or read until close", "[http1][response]") {
  ResponseHead h;
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  Parsed p = parse_response_head(chunked + "5\r\n", Limits{}, false, h);
  REQUIRE(p.kind == Parsed::complete);
  CHECK(p.consumed == chunked.size());
  CHECK(h.framing == Framing::chunked);
  CHECK(h.keep_alive);

  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", Limits{}, false, h).kind ==
          Parsed::complete);
  CHECK(h.framing == Framing::length);
  CHECK(h.content_length == 42);
  CHECK(h.keep_alive);

  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", Limits{}, false, h).kind ==
          Parsed::complete);
  CHECK(h.framing == Framing::until_close);
  CHECK_FALSE(h.keep_alive);
}

TEST_CASE("response keep-alive follows the version and Connection", "[http1][response]") {
  ResponseHead h;
  REQUIRE(parse_response_head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", Limits{}, false, h).kind ==
          Parsed::complete);
  CHECK_FALSE(h.keep_alive);
  REQUIRE(parse_response_head("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n", Limits{},
                              false, h)
              .kind == Parsed::complete);
  CHECK(h.keep_alive);
  REQUIRE(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n", Limits{}, false, h)
              .kind == Parsed::complete);
  CHECK_FALSE(h.keep_alive);
}

TEST_CASE("V4.2.1 V15.3.7 responses with ambiguous framing are refused", "[http1][response][V4.2.1][V15.3.7]") {
  for (const char* raw : {
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5,5\r\n\r\n",
           "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n\r\n",
       }) {
    CAPTURE(raw);
    CHECK(response_refused(raw).status == 400);
  }
  // HEAD does not excuse a framing conflict: the connection is still unsafe to reuse.
  CHECK(response_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", true).status ==
        400);
}

TEST_CASE("every prefix of a valid response head is incomplete, the whole is complete", "[http1][response]") {
  const std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  ResponseHead h;
  std::size_t seen = 0;
  for (std::size_t n = 0; n < raw.size(); ++n) {
    CAPTURE(n);
    const std::string_view prefix = std::string_view(raw).substr(0, n);
    CHECK(parse_response_head(prefix, Limits{}, false, h).kind == Parsed::incomplete);
    CHECK(parse_response_head(prefix, Limits{}, false, h, seen).kind == Parsed::incomplete);
    seen = n;
  }
  const Parsed p = parse_response_head(raw + "0\r\n\r\n", Limits{}, false, h, seen);
  REQUIRE(p.kind == Parsed::complete);
  CHECK(p.consumed == raw.size());
  CHECK(h.framing == Framing::chunked);
}

TEST_CASE("response heads obey max_head_bytes and max_headers", "[http1][response]") {
  Limits l;
  l.max_head_bytes = 32;
  ResponseHead h;
  CHECK(parse_response_head("HTTP/1.1 200 OK\r\nX-Pad: " + std::string(40, 'p'), l, false, h).err.status == 431);
  l = Limits{};
  l.max_headers = 1;
  CHECK(parse_response_head("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", l, false, h).err.status == 431);
}

// --- Chunked bodies ---

namespace {
const std::string kChunked =
    "5\r\nhello\r\n"
    "6;name=val;q=\"a \\\"b\\\"\";flag\r\n world\r\n"
    "A\r\n, 0123456\n\r\n"
    "0;last\r\nX-Trailer: 1\r\nX-Empty:\r\n\r\n";
const std::string kDecoded = "hello world, 0123456\n";
}  // namespace

TEST_CASE("chunked bodies decode the same in every split, byte by byte included", "[http1][chunked]") {
  const std::string wire = kChunked + "GET /next HTTP/1.1\r\n";
  const Decoded whole = decode(wire);
  REQUIRE(whole.kind == ChunkedDecoder::Step::done);
  CHECK(whole.body == kDecoded);
  CHECK(whole.consumed == kChunked.size());

  for (std::size_t cut = 1; cut < wire.size(); ++cut) {
    CAPTURE(cut);
    const Decoded d = decode(wire, {cut});
    CHECK(d.kind == ChunkedDecoder::Step::done);
    CHECK(d.body == kDecoded);
    CHECK(d.consumed == kChunked.size());
  }
  const Decoded bytewise = decode(wire, every_byte(wire.size()));
  CHECK(bytewise.kind == ChunkedDecoder::Step::done);
  CHECK(bytewise.body == kDecoded);
  CHECK(bytewise.consumed == kChunked.size());
}

TEST_CASE("a chunked body that has not ended asks for more and has consumed everything", "[http1][chunked]") {
  for (std::size_t n = 0; n < kChunked.size(); ++n) {
    CAPTURE(n);
    const Decoded d = decode(std::string_view(kChunked).substr(0, n));
    CHECK(d.kind == ChunkedDecoder::Step::need_more);
    CHECK(d.consumed == n);
  }
}

TEST_CASE("V4.2.1 chunk sizes over 16 hex digits are refused", "[http1][chunked][V4.2.1]") {
  for (const char* wire : {"00000000000000005\r\nhello\r\n0\r\n\r\n", "10000000000000000\r\n"}) {
    CAPTURE(wire);
    const Decoded d = decode(wire, every_byte(std::string_view(wire).size()));
    REQUIRE(d.kind == ChunkedDecoder::Step::error);
    CHECK(d.err.status == 400);
    CHECK(d.err.detail == "chunk size over 16 hex digits");
  }
  const Decoded sixteen = decode("0000000000000005\r\nhello\r\n0\r\n\r\n");
  CHECK(sixteen.kind == ChunkedDecoder::Step::done);
  CHECK(sixteen.body == "hello");
  CHECK(decode("ffffffffffffffff\r\n").kind == ChunkedDecoder::Step::need_more);
}

TEST_CASE("V4.2.1 chunks past max_total get 413, before the size line ends", "[http1][chunked][V4.2.1]") {
  Decoded d = decode("ffffffffffffffff\r\n", {}, 1 << 20);
  REQUIRE(d.kind == ChunkedDecoder::Step::error);
  CHECK(d.err.status == 413);
  CHECK(d.err.code == "payload_too_large");
  d = decode("fffff", {}, 1 << 16);  // 0xfffff already exceeds the limit with no CRLF yet
  CHECK(d.err.status == 413);

  // The running total may not wrap around.
  d = decode("1\r\na\r\nffffffffffffffff\r\n");
  REQUIRE(d.kind == ChunkedDecoder::Step::error);
  CHECK(d.err.status == 413);

  CHECK(decode("4\r\nabcd\r\n0\r\n\r\n", {}, 4).kind == ChunkedDecoder::Step::done);
  CHECK(decode("4\r\nabcd\r\n1\r\ne\r\n0\r\n\r\n", {}, 4).err.status == 413);
}

TEST_CASE("V4.2.1 chunk sizes are bare hex followed by ';' or CRLF", "[http1][chunked][V4.2.1]") {
  for (const char* wire : {"g\r\n", "\r\n", "-1\r\n", "0x5\r\n", " 5\r\n", "5 \r\n", "5\t;a\r\n", "+5\r\n", ";a\r\n"}) {
    CAPTURE(wire);
    const Decoded d = decode(wire);
    CHECK(d.kind == ChunkedDecoder::Step::error);
    CHECK(d.err.status == 400);
  }
}

TEST_CASE("V4.2.1 CRLF is required after the size line and after the data", "[http1][chunked][V4.2.1]") {
  for (const char* wire : {"5\nhello\r\n0\r\n\r\n", "5\rhello\r\n0\r\n\r\n", "5\r\nhelloX\r\n0\r\n\r\n",
                           "5\r\nhello\n0\r\n\r\n", "5\r\nhello\r0\r\n\r\n", "5\r\nhello0\r\n\r\n",
                           "5\r\nhello\r\n0\n\r\n", "5\r\nhello\r\n0\r\n\n", "5\r\nhello\r\n0\r\n\rX"}) {
    CAPTURE(wire);
    const Decoded d = decode(wire);
    CHECK(d.kind == ChunkedDecoder::Step::error);
    CHECK(d.err.status == 400);
  }
  // Would decode as "x" if the byte after a bare CR were taken for the LF.
  CHECK(decode("1\rXx\r\n0\r\n\r\n").err.detail == "chunk size line does not end in CRLF");
}

TEST_CASE("chunk extensions are tokens or quoted strings, no whitespace, 256 bytes a line", "[http1][chunked]") {
  for (const char* ok : {"1;a\r\nx\r\n0\r\n\r\n", "1;a=b;c\r\nx\r\n0\r\n\r\n", "1;a=\"q \\\" x\"\r\nx\r\n0\r\n\r\n",
                         "1;a=\"\"\r\nx\r\n0\r\n\r\n"}) {
    CAPTURE(ok);
    CHECK(decode(ok).kind == ChunkedDecoder::Step::done);
  }
  for (const char* bad : {"1;\r\n", "1;=b\r\n", "1;a=\r\n", "1; a=b\r\n", "1;a =b\r\n", "1;a= b\r\n",
                          "1;a=b c\r\n", "1;a=\"open\r\n", "1;a=\"x\"y\r\n", "1;a=\"x\x01\"\r\n", "1;a=b=c\r\n"}) {
    CAPTURE(bad);
    CHECK(decode(bad).kind == ChunkedDecoder::Step::error);
  }
  const std::string longest = "1;" + std::string(254, 'a') + "\r\nx\r\n0\r\n\r\n";
  CHECK(decode(longest).kind == ChunkedDecoder::Step::done);
  const std::string too_long = "1;" + std::string(255, 'a') + "\r\nx\r\n0\r\n\r\n";
  const Decoded d = decode(too_long);
  REQUIRE(d.kind == ChunkedDecoder::Step::error);
  CHECK(d.err.detail == "chunk size line over 256 bytes");
}

TEST_CASE("V4.2.1 trailer fields follow the field-line rules and are dropped", "[http1][chunked][V4.2.1]") {
  const Decoded fine = decode("1\r\nx\r\n0\r\nX-A: 1\r\nX-B:\t2 \x80\r\n\r\nNEXT");
  REQUIRE(fine.kind == ChunkedDecoder::Step::done);
  CHECK(fine.body == "x");
  CHECK(fine.consumed == std::string_view("1\r\nx\r\n0\r\nX-A: 1\r\nX-B:\t2 \x80\r\n\r\n").size());

  for (std::string bad : {std::string("0\r\nX-A: 1\r\n 2\r\n\r\n"), std::string("0\r\nX-A : 1\r\n\r\n"),
                          std::string("0\r\nX-A: 1\n\r\n"), std::string("0\r\nX-A: 1\r2\r\n\r\n"),
                          std::string("0\r\nX-A: a\0b\r\n\r\n", 15), std::string("0\r\n: x\r\n\r\n"),
                          std::string("0\r\nX-A\r\n\r\n")}) {
    CAPTURE(bad);
    const Decoded d = decode(bad);
    CHECK(d.kind == ChunkedDecoder::Step::error);
    CHECK(d.err.status == 400);
  }
}

TEST_CASE("the trailer section is at most 4096 bytes", "[http1][chunked]") {
  // "X: " + pad + CRLF, then the final CRLF: 4096 bytes of trailer section in all.
  const std::string fits = "0\r\nX: " + std::string(4096 - 7, 'p') + "\r\n\r\n";
  CHECK(decode(fits).kind == ChunkedDecoder::Step::done);
  const std::string over = "0\r\nX: " + std::string(4096 - 6, 'p') + "\r\n\r\n";
  const Decoded d = decode(over);
  REQUIRE(d.kind == ChunkedDecoder::Step::error);
  CHECK(d.err.status == 431);
}

TEST_CASE("after done or error the decoder takes nothing more", "[http1][chunked]") {
  std::string out;
  ChunkedDecoder done;
  const ChunkedDecoder::Step s = done.feed("0\r\n\r\nGET", out);
  REQUIRE(s.kind == ChunkedDecoder::Step::done);
  CHECK(s.consumed == 5);
  const ChunkedDecoder::Step again = done.feed("1\r\nx\r\n", out);
  CHECK(again.kind == ChunkedDecoder::Step::done);
  CHECK(again.consumed == 0);
  CHECK(out.empty());

  ChunkedDecoder failed;
  REQUIRE(failed.feed("z", out).kind == ChunkedDecoder::Step::error);
  const ChunkedDecoder::Step still = failed.feed("1\r\nx\r\n0\r\n\r\n", out);
  CHECK(still.kind == ChunkedDecoder::Step::error);
  CHECK(still.err.status == 400);
  CHECK(out.empty());
}

TEST_CASE("V4.2.1 framing may not outgrow the data it frames (K7)", "[http1][chunked][V4.2.1]") {
  // 1-byte chunks with 200-byte extensions: ~210 framing bytes per data byte.
  std::string ext = ";" + std::string(199, 'e');
  std::string hostile;
  for (int i = 0; i < 400; ++i) hostile += "1" + ext + "\r\nx\r\n";
  hostile += "0\r\n\r\n";
  ChunkedDecoder dec(1 << 20);
  std::string out;
  auto step = dec.feed(hostile, out);
  REQUIRE(step.kind == ChunkedDecoder::Step::error);
  CHECK(step.err.status == 400);
  CHECK(out.size() < 400);
  CHECK(step.consumed <= 64 * 1024 + 2 * out.size() + 1);  // framing ≤ allowance + data, plus the data

  // Ordinary small chunks (16 bytes of data, 6 of framing) decode however many there are.
  std::string fine;
  for (int i = 0; i < 20000; ++i) fine += "10\r\n0123456789abcdef\r\n";
  fine += "0\r\n\r\n";
  ChunkedDecoder ok(1 << 20);
  std::string body;
  CHECK(ok.feed(fine, body).kind == ChunkedDecoder::Step::done);
  CHECK(body.size() == 20000 * 16);
}
