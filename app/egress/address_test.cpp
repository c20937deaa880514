// ASVS V1.3.6 / V12.3.x (SSRF): every refused range, every spelling of an inner address, and the
// neighbours just outside each range that must stay open.
#include "egress/address.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using namespace airlock::egress;

namespace {
std::string verdict(const char* text) {
  auto ip = core::IpAddress::parse(text);
  REQUIRE(ip);
  auto r = refused_range(*ip);
  return r ? r->text() : "public";
}
}  // namespace

TEST_CASE("egress refuses every non-public IPv4 range and accepts its neighbours", "[egress][V1.3.6]") {
  struct Row {
    const char* ip;
    const char* want;
  };
  const Row rows[] = {
      {"0.0.0.0", "unspecified (this network)"},     {"0.255.255.255", "unspecified (this network)"},
      {"1.0.0.0", "public"},                         {"9.255.255.255", "public"},
      {"10.0.0.0", "private (RFC 1918)"},            {"10.255.255.255", "private (RFC 1918)"},
      {"11.0.0.1", "public"},                        {"100.63.255.255", "public"},
      {"100.64.0.0", "shared address space (CGNAT)"}, {"100.127.255.255", "shared address space (CGNAT)"},
      {"100.128.0.1", "public"},                     {"126.255.255.255", "public"},
      {"127.0.0.1", "loopback"},                     {"127.255.255.254", "loopback"},
      {"128.0.0.0", "public"},                       {"169.253.255.255", "public"},
      {"169.254.0.1", "link-local"},                 {"169.254.169.254", "cloud metadata"},
      {"169.254.170.2", "cloud metadata"},           {"169.255.0.0", "public"},
      {"168.63.129.16", "cloud metadata"},           {"168.63.129.17", "public"},
      {"100.100.100.200", "cloud metadata"},         {"172.15.255.255", "public"},
      {"172.16.0.0", "private (RFC 1918)"},          {"172.31.255.255", "private (RFC 1918)"},
      {"172.32.0.1", "public"},                      {"192.0.0.8", "reserved (IETF protocol assignments)"},
      {"192.0.1.0", "public"},                       {"192.0.2.1", "documentation"},
      {"192.0.3.0", "public"},                       {"192.88.99.1", "reserved (6to4 relay anycast)"},
      {"192.167.255.255", "public"},                 {"192.168.0.1", "private (RFC 1918)"},
      {"192.169.0.0", "public"},                     {"198.17.255.255", "public"},
      {"198.18.0.1", "reserved (benchmarking)"},     {"198.19.255.255", "reserved (benchmarking)"},
      {"198.20.0.0", "public"},                      {"198.51.100.7", "documentation"},
      {"203.0.113.80", "documentation"},             {"203.0.114.0", "public"},
      {"223.255.255.255", "public"},                 {"224.0.0.1", "multicast"},
      {"239.255.255.255", "multicast"},              {"240.0.0.1", "reserved"},
      {"255.255.255.254", "reserved"},               {"255.255.255.255", "broadcast"},
      {"8.8.8.8", "public"},                         {"1.1.1.1", "public"},
  };
  for (const auto& r : rows) {
    INFO(r.ip);
    CHECK(verdict(r.ip) == r.want);
  }
}

TEST_CASE("egress judges IPv6 and every IPv6 form that carries an IPv4 address by that address",
          "[egress][V1.3.6]") {
  struct Row {
    const char* ip;
    const char* want;
  };
  const Row rows[] = {
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"::2", "unspecified (this network) (IPv4-compatible IPv6)"},
      // IPv4-mapped addresses are the IPv4 address itself (dialled as IPv4).
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:7f00:1", "loopback"},
      {"::ffff:169.254.169.254", "cloud metadata"},
      {"::ffff:a9fe:a9fe", "cloud metadata"},
      {"::ffff:8.8.8.8", "public"},
      {"::ffff:0:127.0.0.1", "loopback (IPv4-translated IPv6)"},
      {"::127.0.0.1", "loopback (IPv4-compatible IPv6)"},
      {"::10.0.0.1", "private (RFC 1918) (IPv4-compatible IPv6)"},
      {"::8.8.8.8", "reserved (IPv4-compatible IPv6)"},
      {"64:ff9b::127.0.0.1", "loopback (NAT64 IPv6)"},
      {"64:ff9b::a9fe:a9fe", "cloud metadata (NAT64 IPv6)"},
      {"64:ff9b::808:808", "public"},
      {"64:ff9b:1::808:808", "local-use NAT64 (RFC 8215)"},
      {"2002:7f00:1::", "loopback (6to4 IPv6)"},
      {"2002:a9fe:a9fe::1", "cloud metadata (6to4 IPv6)"},
      {"2002:c0a8:101::1", "private (RFC 1918) (6to4 IPv6)"},
      {"2002:808:808::1", "public"},
      // Teredo: server 65.54.227.120 (public), client 127.0.0.1 inverted = 80ff:fffe.
      {"2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback (Teredo IPv6 (client))"},
      {"2001:0:7f00:1::", "loopback (Teredo IPv6 (server))"},
      {"2001:0:4136:e378:8000:63bf:f7f7:f7f7", "public"},
      {"fd00:ec2::254", "cloud metadata"},
      {"fd00:ec2:0:0:0:0:0:254", "cloud metadata"},
      {"fd00:ec2::253", "unique local (ULA)"},
      {"fc00::1", "unique local (ULA)"},
      {"fdff:ffff::1", "unique local (ULA)"},
      {"fe80::1", "link-local"},
      {"febf:ffff::1", "link-local"},
      {"fec0::1", "site-local (deprecated)"},
      {"ff02::1", "multicast"},
      {"2001:db8::1", "documentation"},
      {"3fff::1", "documentation"},
      {"2001:2::1", "reserved (benchmarking)"},
      {"2001:10::1", "reserved (ORCHID)"},
      {"2001:20::1", "reserved (ORCHID)"},
      {"100::1", "reserved (not global unicast)"},
      {"4000::1", "reserved (not global unicast)"},
      {"1fff:ffff::1", "reserved (not global unicast)"},
      {"2001:4860::1", "public"},
      {"2001:4860:4860::8888", "public"},
      {"2a00:1450::1", "public"},
      {"2001:db9::1", "public"},
      {"3ffe::1", "public"},
      {"fbff:ffff::1", "reserved (not global unicast)"},
  };
  for (const auto& r : rows) {
    INFO(r.ip);
    CHECK(verdict(r.ip) == r.want);
  }
}

TEST_CASE("egress addresses convert to and from socket addresses", "[egress]") {
  for (const char* text : {"192.0.2.1", "2001:db8::7"}) {
    auto ip = core::IpAddress::parse(text);
    REQUIRE(ip);
    sockaddr_storage ss{};
    auto len = to_sockaddr(*ip, 8443, &ss);
    auto back = from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    REQUIRE(back);
    CHECK(back->to_string() == text);
    CHECK(ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port) == 8443);
  }
  sockaddr_storage junk{};
  junk.ss_family = AF_UNIX;
  CHECK_FALSE(from_sockaddr(reinterpret_cast<sockaddr*>(&junk), sizeof junk));
}
