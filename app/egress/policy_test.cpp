// ASVS V1.3.6 / V12.3.x: who may open a hole in the egress policy, and what each entry opens.
#include "egress/policy.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using namespace airlock::egress;

namespace {
Url url(const char* text) {
  std::string err;
  auto u = parse_url(text, &err);
  INFO(text << ": " << err);
  REQUIRE(u);
  return *u;
}
Policy policy(const char* allow) {
  std::string err;
  auto list = parse_allowlist(allow, &err);
  INFO(allow << ": " << err);
  REQUIRE(list);
  return Policy(std::move(*list));
}
core::IpAddress ip(const char* text) { return *core::IpAddress::parse(text); }
}  // namespace

TEST_CASE("the allowlist takes name:port, address:port, CIDR:port and CIDR, and refuses the rest", "[egress][V1.3.6]") {
  std::string err;
  auto list = parse_allowlist("vllm.corp:8000, 10.0.0.0/8:443\n[fd00::/8]:443 192.168.1.10,[2001:db8::1]:8443 ,, 172.16.0.0/12", &err);
  REQUIRE(list);
  REQUIRE(list->size() == 6);
  CHECK((*list)[0].name == "vllm.corp");
  CHECK((*list)[0].port == 8000);
  CHECK((*list)[1].net->to_string() == "10.0.0.0/8");
  CHECK((*list)[1].port == 443);
  CHECK((*list)[2].net->to_string() == "fd00::/8");
  CHECK((*list)[3].port == 0);
  CHECK((*list)[5].port == 0);
  CHECK(parse_allowlist("", &err)->empty());
  for (const char* bad : {"vllm.corp", "fd00::/8:443", "10.0.0.1/8", "10.0.0.0/33", "127.1:80", "0x7f000001:80", "[10.0.0.0/8]:1",
                          "[fd00::/8]x", "[fd00::/8", "host.example:0", "host.example:65536", "host.example:", "exa_mple:80",
                          "host.example.:80", "a@b:80", "10.0.0.0/8:0443"}) {
    INFO(bad);
    CHECK_FALSE(parse_allowlist(bad, &err));
    CHECK(err.find(bad) != std::string::npos);
  }
}

TEST_CASE("without an allowlist only public https destinations are accepted", "[egress][V1.3.6]") {
  Policy p;
  CHECK_FALSE(p.check_url(url("https://api.openai.com/v1")));
  CHECK_FALSE(p.check_url(url("https://8.8.8.8/v1")));
  CHECK_FALSE(p.check_url(url("https://[2001:4860::1]/v1")));
  for (const char* bad : {"https://127.0.0.1/", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://[::ffff:7f00:1]/",
                          "https://169.254.169.254/latest/meta-data", "https://[fd00:ec2::254]/", "https://10.1.2.3/",
                          "https://172.31.0.1/", "https://192.168.0.1/", "https://100.64.0.1/", "https://0.0.0.0/",
                          "https://[::]/", "https://[fe80::1]/", "https://[fc00::1]/", "https://224.0.0.1/",
                          "https://255.255.255.255/", "https://[64:ff9b::7f00:1]/", "https://[2002:7f00:1::1]/",
                          "https://localhost/", "https://api.localhost:8443/", "https://LOCALHOST/"}) {
    INFO(bad);
    auto why = p.check_url(url(bad));
    REQUIRE(why);
    CHECK(why->find("AIRLOCK_EGRESS_ALLOW") != std::string::npos);
  }
  auto plain = p.check_url(url("http://api.openai.com/v1"));
  REQUIRE(plain);
  CHECK(plain->find("plain http") != std::string::npos);
  // A name is judged by what it resolves to, at connect time.
  CHECK_FALSE(p.check_url(url("https://internal.example/")));
  CHECK(p.check_address(url("https://internal.example/"), ip("10.0.0.5"))->find("resolves to 10.0.0.5, private") !=
        std::string::npos);
  CHECK(p.check_address(url("https://internal.example/"), ip("::ffff:169.254.169.254")));
  CHECK_FALSE(p.check_address(url("https://internal.example/"), ip("93.184.215.14")));
}

TEST_CASE("an allowlist entry opens exactly what it names", "[egress][V1.3.6]") {
  auto p = policy("vllm.corp:8000, 10.0.0.0/24:443, 192.168.7.7, [fd00:1::/32]:8443");
  // name:port — any address that name resolves to, on that port only; http allowed there.
  CHECK_FALSE(p.check_url(url("http://vllm.corp:8000/v1")));
  CHECK_FALSE(p.check_address(url("http://vllm.corp:8000/v1"), ip("127.0.0.1")));
  CHECK(p.check_url(url("http://vllm.corp:8001/v1")));
  CHECK(p.check_address(url("https://vllm.corp:8001/v1"), ip("127.0.0.1")));
  CHECK(p.check_address(url("https://other.corp:8000/v1"), ip("127.0.0.1")));
  CHECK(p.check_address(url("https://sub.vllm.corp:8000/v1"), ip("10.9.9.9")));
  // CIDR:port — literals and resolved addresses inside it, on that port.
  CHECK_FALSE(p.check_url(url("https://10.0.0.9/")));
  CHECK_FALSE(p.check_url(url("http://10.0.0.9:443/")));
  CHECK(p.check_url(url("https://10.0.0.9:8443/")));
  CHECK(p.check_url(url("https://10.0.1.0/")));  // just outside the /24
  CHECK_FALSE(p.check_address(url("https://gpu.corp/"), ip("10.0.0.200")));
  CHECK(p.check_address(url("https://gpu.corp/"), ip("10.0.1.1")));
  CHECK(p.check_address(url("https://gpu.corp:444/"), ip("10.0.0.200")));
  // A bare address — every port.
  CHECK_FALSE(p.check_url(url("https://192.168.7.7:9999/")));
  CHECK(p.check_url(url("https://192.168.7.8/")));
  // IPv6 networks.
  CHECK_FALSE(p.check_url(url("https://[fd00:1::5]:8443/")));
  CHECK(p.check_url(url("https://[fd00:2::5]:8443/")));
  // Metadata is not inside any of these and stays closed.
  CHECK(p.check_url(url("https://169.254.169.254/")));
}

TEST_CASE("through the egress proxy, names that only mean something inside a network are refused unless listed",
          "[egress][proxy][V1.3.6]") {
  std::string err;
  ProxySettings proxy{*parse_proxy_url("http://proxy.corp:3128", &err), "", *parse_no_proxy("direct.lan", &err)};
  Policy p(*parse_allowlist("vault.corp:8200", &err), proxy);
  for (const char* bad : {"https://vault/v1", "https://printer.local/", "https://db.internal/", "https://nas.lan/",
                          "https://router.home.arpa/", "https://git.corp/", "https://x.localdomain/", "https://intranet.intranet/"}) {
    INFO(bad);
    auto why = p.check_url(url(bad));
    REQUIRE(why);
    CHECK(why->find("private-use name") != std::string::npos);
  }
  CHECK_FALSE(p.check_url(url("https://vault.corp:8200/v1")));  // the operator listed it
  CHECK_FALSE(p.check_url(url("https://direct.lan/v1")));       // not through the proxy: judged by its addresses
  CHECK_FALSE(p.check_url(url("https://api.openai.com/v1")));
  CHECK_FALSE(p.check_url(url("https://openai.com.local.example/v1")));
  // Without a proxy the same names are judged by what they resolve to, at connect time.
  CHECK_FALSE(Policy().check_url(url("https://printer.local/")));
  CHECK(p.proxy());
  CHECK_FALSE(Policy().proxy());
}

TEST_CASE("allowlist entries that open more than they seem to are named", "[egress]") {
  std::string err;
  auto w = allowlist_warnings(*parse_allowlist("169.254.0.0/16:80, [64:ff9b::/96]:443, 10.0.0.0/8, 10.1.0.0/16:443, gpu.lan:8000", &err));
  REQUIRE(w.size() == 3);
  CHECK(w[0].find("cloud metadata") != std::string::npos);
  CHECK(w[1].find("translation prefix") != std::string::npos);
  CHECK(w[2].find("every port of 10.0.0.0/8") != std::string::npos);
}
