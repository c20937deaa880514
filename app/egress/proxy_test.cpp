// The egress proxy settings: what routes through it, and the CONNECT request it is sent
// (RFC 9110 §9.3.6; Basic credentials per RFC 7617, its example vector).
#include "egress/proxy.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::egress;

namespace {
Url url(const char* text) {
  std::string err;
  auto u = parse_url(text, &err);
  REQUIRE(u);
  return *u;
}
}  // namespace

TEST_CASE("the proxy URL is http://host:port and nothing else", "[egress][proxy]") {
  std::string err;
  auto p = parse_proxy_url("http://proxy.corp:3128", &err);
  REQUIRE(p);
  CHECK(p->port == 3128);
  for (const char* bad : {"https://proxy.corp:3128", "http://proxy.corp:3128/x", "http://u:p@proxy.corp:3128", "socks5://p:1080",
                          "http://proxy.corp:3128?x", "proxy.corp:3128"}) {
    INFO(bad);
    CHECK_FALSE(parse_proxy_url(bad, &err));
    CHECK_FALSE(err.empty());
  }
}

TEST_CASE("NO_PROXY names match themselves and the names under them; networks match literal hosts", "[egress][proxy]") {
  std::string err;
  auto list = parse_no_proxy(".corp.example, 10.0.0.0/8 [fd00::/8],vllm", &err);
  REQUIRE(list);
  ProxySettings s{url("http://proxy.corp:3128"), "", *list};
  CHECK_FALSE(s.routes(url("https://corp.example/v1")));
  CHECK_FALSE(s.routes(url("https://gpu.corp.example/v1")));
  CHECK(s.routes(url("https://evilcorp.example/v1")));  // a suffix match is by label, not by text
  CHECK(s.routes(url("https://corp.example.evil.com/v1")));
  CHECK_FALSE(s.routes(url("https://10.1.2.3/v1")));
  CHECK(s.routes(url("https://11.1.2.3/v1")));
  CHECK_FALSE(s.routes(url("https://[fd00::5]/v1")));
  CHECK_FALSE(s.routes(url("https://vllm:8000/v1")));
  CHECK(s.routes(url("https://api.openai.com/v1")));
  CHECK_FALSE(ProxySettings{}.routes(url("https://api.openai.com/v1")));  // no proxy: all direct
  for (const char* bad : {"10.0.0.1/8", "exa_mple", "a/b", "127.1"}) {
    INFO(bad);
    CHECK_FALSE(parse_no_proxy(bad, &err));
  }
}

TEST_CASE("the CONNECT request names the destination and carries Basic credentials", "[egress][proxy]") {
  ProxySettings s{url("http://proxy.corp:3128"), "Aladdin:open sesame", {}};
  CHECK(s.connect_head(url("https://api.openai.com/v1")) ==
        "CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n"
        "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
  ProxySettings anonymous{url("http://proxy.corp:3128"), "", {}};
  CHECK(anonymous.connect_head(url("https://[2001:db8::1]:8443/v1")) ==
        "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n");
}
