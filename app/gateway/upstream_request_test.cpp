// What Airlock sends upstream is one clean HTTP/1.1 request whatever a client or an operator put in
// a header: any CR, LF or NUL in a value, and any non-token name, refuses the request instead of
// splitting it (ASVS V4.2.1 outbound; V15.3.7).
#include <catch2/catch_test_macros.hpp>
#include <nlohmann/json.hpp>

#include "gateway/upstream.h"
#include "support/identity_fixture.h"

using namespace airlock;

namespace {

struct Upstream {
  testing::IdentityFixture f;
  store::ProviderRow row;

  std::unique_ptr<gateway::Provider> provider(const std::string& vendor_key = "sk-vendor-1234") {
    row.id = core::ProviderId{7};
    row.name = "p";
    row.type = "openai";
    row.base_url = "https://api.example.com:8443/v1";
    auto sealed = f.fields.seal("vendor-key", {"providers", "api_key", 7},
                                crypto::ByteView(reinterpret_cast<const std::uint8_t*>(vendor_key.data()), vendor_key.size()));
    REQUIRE(sealed);
    row.api_key_sealed = *sealed;
    std::string err;
    auto url = egress::parse_url(row.base_url, &err);
    REQUIRE(url);
    auto destination = std::make_shared<egress::Destination>(*url, false, egress::default_policy(), egress::no_resolver(),
                                                             f.clock, nullptr);
    return std::make_unique<gateway::Provider>(row, *url, std::move(destination), f.fields,
                                               "/etc/ssl/certs/ca-certificates.crt", f.clock);
  }
};

}  // namespace

TEST_CASE("the upstream request: our Host, the vendor key, forwarded headers, the exact body", "[gateway][upstream][V4.2.1]") {
  Upstream u;
  auto p = u.provider();
  auto req = p->build_request("POST", "/chat/completions", {{"openai-beta", "assistants=v2"}}, R"({"model":"m"})", true);
  REQUIRE(req);
  auto head_end = req->find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  std::string head = req->substr(0, head_end + 2);
  CHECK(head.rfind("POST /v1/chat/completions HTTP/1.1\r\nHost: api.example.com:8443\r\n", 0) == 0);
  CHECK(head.find("Authorization: Bearer sk-vendor-1234\r\n") != std::string::npos);
  CHECK(head.find("openai-beta: assistants=v2\r\n") != std::string::npos);
  CHECK(head.find("Accept: text/event-stream\r\n") != std::string::npos);
  CHECK(head.find("Content-Length: 13\r\n") != std::string::npos);
  CHECK(req->substr(head_end + 4) == R"({"model":"m"})");
  // Every line of the head is one header: no bare CR or LF anywhere.
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r') CHECK(head[i + 1] == '\n');
    if (head[i] == '\n') CHECK(head[i - 1] == '\r');
  }
}

TEST_CASE("a CR, LF or NUL from a client or the provider settings never reaches the wire", "[gateway][upstream][V4.2.1]") {
  for (const std::string& bad : {std::string("v\r\nX-Injected: 1"), std::string("v\nX-Injected: 1"), std::string("v\rX"),
                                 std::string("v\0x", 3)}) {
    INFO(bad);
    Upstream u;
    auto p = u.provider();
    CHECK_FALSE(p->build_request("POST", "/chat/completions", {{"anthropic-version", bad}}, "{}", false));
    // The same in an operator's extra header.
    Upstream v;
    v.row.extra_headers_json = nlohmann::json{{"X-Org", bad}}.dump();
    auto q = v.provider();
    CHECK_FALSE(q->build_request("POST", "/chat/completions", {}, "{}", false));
  }
  for (const std::string& name : {std::string("X Bad"), std::string("X:Bad"), std::string(""), std::string("X\r\nY")}) {
    INFO(name);
    Upstream u;
    auto p = u.provider();
    CHECK_FALSE(p->build_request("POST", "/chat/completions", {{name, "v"}}, "{}", false));
  }
  // A vendor key with a line break in it (a pasted file with CRLF) is refused, not sent in two lines.
  Upstream k;
  auto p = k.provider("sk-abc\r\nX-Injected: 1");
  CHECK_FALSE(p->build_request("POST", "/chat/completions", {}, "{}", false));
  // A path from the endpoint table with a space or CRLF cannot make a second request line.
  Upstream t;
  auto q = t.provider();
  CHECK_FALSE(q->build_request("POST", "/chat completions", {}, "{}", false));
  CHECK_FALSE(q->build_request("POST", "/chat\r\nGET /x", {}, "{}", false));
}
