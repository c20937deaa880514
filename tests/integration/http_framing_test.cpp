// Message framing on the raw socket (ASVS V4.2.1): every way of making two parsers disagree about
// where a request ends is refused with 400 and the connection closed, and nothing sent behind the
// refused request is ever served. The listener's parser is ours (app/net/http1.h); these vectors
// are the ones cpp-httplib fixed after the 0.41.0 we pin (third_party/UPSTREAM-FIXES.md).
#include <catch2/catch_test_macros.hpp>

#include "support/harness.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

const std::string kTail = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: smuggled\r\n\r\n";

struct Vector {
  const char* name;
  std::string head;  // the request (head and what follows) whose framing is ambiguous
  int status = 400;  // a chunk size too big for any body is refused as that (413)
};

std::string req(const std::string& headers, const std::string& body = "") {
  return "POST /healthz HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
}

}  // namespace

TEST_CASE("ambiguous framing is refused with 400, the connection closed, nothing behind it served",
          "[integration][http][framing][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  const std::vector<Vector> vectors = {
      {"CL and TE together", req("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")},
      {"TE gzip, chunked", req("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")},
      {"TE chunked, identity", req("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n")},
      {"TE mixed case", req("Transfer-Encoding: Chunked\r\n", "0\r\n\r\n")},
      {"TE upper case", req("Transfer-Encoding: CHUNKED\r\n", "0\r\n\r\n")},
      {"TE twice", req("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")},
      {"TE split over lines", req("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")},
      {"TE in HTTP/1.0", "POST /healthz HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
      {"two differing CLs", req("Content-Length: 3\r\nContent-Length: 5\r\n", "abcde")},
      {"two equal CLs", req("Content-Length: 3\r\nContent-Length: 3\r\n", "abc")},
      {"CL list", req("Content-Length: 3, 3\r\n", "abc")},
      {"CL with sign", req("Content-Length: +3\r\n", "abc")},
      {"CL in hex", req("Content-Length: 0x3\r\n", "abc")},
      {"CL of 20 digits", req("Content-Length: 18446744073709551616\r\n")},
      {"obs-fold", req("X-A: a\r\n b\r\nContent-Length: 0\r\n")},
      {"obs-fold with a tab", req("X-A: a\r\n\tContent-Length: 40\r\n")},
      {"bare LF in a header line", req("X-A: a\nContent-Length: 0\r\n")},
      {"bare CR in a header line", req("X-A: a\rContent-Length: 0\r\n")},
      {"bare LF ending the request line", "POST /healthz HTTP/1.1\nHost: x\r\nContent-Length: 0\r\n\r\n"},
      {"space before the colon", req("Content-Length : 0\r\n")},
      {"NUL in a value", req(std::string("X-A: a\0b\r\n", 10))},
      {"chunk size of 17 hex digits", req("Transfer-Encoding: chunked\r\n", "10000000000000001\r\nx\r\n0\r\n\r\n"), 413},
      {"chunk size of 17 digits, leading zeros", req("Transfer-Encoding: chunked\r\n", "00000000000000001\r\nx\r\n0\r\n\r\n")},
      {"chunk size wrapping negative", req("Transfer-Encoding: chunked\r\n", "-2\r\nxx\r\n0\r\n\r\n")},
      {"chunk size with spaces", req("Transfer-Encoding: chunked\r\n", "3 \r\nabc\r\n0\r\n\r\n")},
      {"chunk data without its CRLF", req("Transfer-Encoding: chunked\r\n", "3\r\nabcX0\r\n\r\n")},
      {"no Host in HTTP/1.1", "GET /healthz HTTP/1.1\r\n\r\n"},
      {"two Hosts", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"},
  };
  for (const auto& v : vectors) {
    INFO(v.name);
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    REQUIRE(c->write(v.head + kTail));
    auto raw = c->read_all(10s);
    INFO(raw);
    auto reply = parse_reply(raw);
    REQUIRE(reply);
    CHECK(reply->status == v.status);
    CHECK(reply->headers["connection"] == "close");
    CHECK(json::parse(reply->body)["error"]["code"] == (v.status == 400 ? "bad_request" : "body_too_large"));
    // One response only: the smuggled request never got an answer.
    CHECK(raw.find("HTTP/1.1", 8) == std::string::npos);
  }
  CHECK_FALSE(a->wait_for_log([](const json& j) { return j.value("request_id", "") == "smuggled"; }, 500ms));
  CHECK(https_request(a->port(), "GET", "/healthz").status == 200);
}

TEST_CASE("a request hidden in a body stays body: framed by Content-Length or chunked, never served",
          "[integration][http][framing][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  const std::string hidden = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: hidden\r\n\r\n";
  auto hex = [](std::size_t n) {
    char b[20];
    std::snprintf(b, sizeof b, "%zx", n);
    return std::string(b);
  };
  for (const std::string& carrier :
       {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: carrier\r\nContent-Length: " +
            std::to_string(hidden.size()) + "\r\n\r\n" + hidden,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: carrier\r\nTransfer-Encoding: chunked\r\n\r\n" +
            hex(hidden.size()) + "\r\n" + hidden + "\r\n0\r\n\r\n"}) {
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    // The carrier, then a real second request on the same keep-alive connection.
    REQUIRE(c->write(carrier + "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\nConnection: close\r\n\r\n"));
    auto raw = c->read_all(10s);
    INFO(raw);
    auto first = raw.find("HTTP/1.1 200");
    REQUIRE(first != std::string::npos);
    auto second = raw.find("HTTP/1.1 200", first + 1);
    REQUIRE(second != std::string::npos);
    CHECK(raw.find("HTTP/1.1", second + 1) == std::string::npos);  // exactly two responses
    CHECK(raw.find("X-Request-Id: carrier") < second);
    CHECK(raw.find("X-Request-Id: second") > second);
  }
  CHECK(a->wait_for_log([](const json& j) { return j.value("request_id", "") == "second"; }));
  CHECK_FALSE(a->wait_for_log([](const json& j) { return j.value("request_id", "") == "hidden"; }, 300ms));
}

TEST_CASE("chunked request bodies are decoded and held to the body limit", "[integration][http][framing][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_MAX_BODY_BYTES", "2048"}});
  auto send = [&](const std::string& raw) {
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    REQUIRE(c->write(raw));
    auto reply = parse_reply(c->read_all(10s));
    REQUIRE(reply);
    return *reply;
  };
  // Within the limit, in pieces with an extension and a trailer: routing answers (405), so the
  // body was read to its end.
  auto ok = send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "400;note=1\r\n" + std::string(1024, 'a') + "\r\n400\r\n" + std::string(1024, 'b') +
                 "\r\n0\r\nX-Trailer: t\r\n\r\n");
  CHECK(ok.status == 405);
  // One byte over, whichever chunk carries it.
  auto big = send("POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "400\r\n" + std::string(1024, 'a') + "\r\n401\r\n" + std::string(1025, 'b') + "\r\n0\r\n\r\n");
  CHECK(big.status == 413);
  CHECK(json::parse(big.body)["error"]["code"] == "body_too_large");
  // Expect: 100-continue gets its interim response before the body is sent.
  auto c = TlsConn::connect(a->port());
  REQUIRE(c);
  REQUIRE(c->write("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  std::string got;
  REQUIRE(c->read_until(&got, "\r\n\r\n", 5s));
  CHECK(got.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
  REQUIRE(c->write("ab"));
  auto rest = parse_reply(c->read_all(5s));
  REQUIRE(rest);
  CHECK(rest->status == 405);
}
