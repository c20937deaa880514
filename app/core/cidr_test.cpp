#include "core/cidr.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::core;

TEST_CASE("addresses parse only in their canonical dotted or IPv6 spelling", "[core][cidr]") {
  CHECK(IpAddress::parse("127.0.0.1").has_value());
  CHECK(IpAddress::parse("::1").has_value());
  CHECK(IpAddress::parse("2001:db8::1").has_value());
  // inet_aton-style spellings that smuggle loopback past naive filters are refused.
  for (const char* bad : {"127.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.0.0.1 ", "", "localhost",
                          "1.2.3.4.5", "256.0.0.1"}) {
    INFO(bad);
    CHECK_FALSE(IpAddress::parse(bad).has_value());
  }
}

TEST_CASE("an IPv4-mapped IPv6 address is the IPv4 address it carries", "[core][cidr]") {
  auto mapped = IpAddress::parse("::ffff:10.1.2.3");
  REQUIRE(mapped);
  CHECK(mapped->v4);
  CHECK(mapped->to_string() == "10.1.2.3");
  auto net = Cidr::parse("10.0.0.0/8");
  REQUIRE(net);
  CHECK(net->contains(*mapped));
}

TEST_CASE("CIDR membership at the prefix boundaries", "[core][cidr]") {
  auto net = Cidr::parse("192.168.4.0/22");
  REQUIRE(net);
  CHECK(net->contains(*IpAddress::parse("192.168.4.0")));
  CHECK(net->contains(*IpAddress::parse("192.168.7.255")));
  CHECK_FALSE(net->contains(*IpAddress::parse("192.168.8.0")));
  CHECK_FALSE(net->contains(*IpAddress::parse("192.168.3.255")));
  CHECK_FALSE(net->contains(*IpAddress::parse("::ffff:192.168.8.0")));
  auto v6 = Cidr::parse("2001:db8::/32");
  REQUIRE(v6);
  CHECK(v6->contains(*IpAddress::parse("2001:db8:ffff::1")));
  CHECK_FALSE(v6->contains(*IpAddress::parse("2001:db9::1")));
  CHECK_FALSE(v6->contains(*IpAddress::parse("10.0.0.1")));
  auto all = Cidr::parse("0.0.0.0/0");
  REQUIRE(all);
  CHECK(all->contains(*IpAddress::parse("8.8.8.8")));
  CHECK_FALSE(all->contains(*IpAddress::parse("::1")));
}

TEST_CASE("CIDRs with host bits set, bad prefixes or junk are refused", "[core][cidr]") {
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x", "::/129", "x/8"}) {
    INFO(bad);
    CHECK_FALSE(Cidr::parse(bad).has_value());
  }
  std::string err;
  CHECK_FALSE(parse_cidr_list("10.0.0.0/8, 10.0.0.1/8", &err).has_value());
  CHECK(err.find("10.0.0.1/8") != std::string::npos);
  auto ok = parse_cidr_list(" 10.0.0.0/8 ,::1, ", &err);
  REQUIRE(ok);
  CHECK(ok->size() == 2);
}

TEST_CASE("clients are counted by IPv4 address or IPv6 /64", "[core][cidr]") {
  CHECK(client_network_key("192.0.2.7") == "192.0.2.7");
  CHECK(client_network_key("::ffff:192.0.2.7") == "192.0.2.7");
  CHECK(client_network_key("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
  CHECK(client_network_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64");
  CHECK(client_network_key("2001:db8:1:3::1") == "2001:db8:1:3::/64");
  CHECK(client_network_key("not an address") == "not an address");
}
