#include "http/peer_limit.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using namespace airlock::http;

TEST_CASE("connections are capped per IPv4 address and per IPv6 /64; trusted proxies are exempt",
          "[http][limits]") {
  PeerLimit limit(2, {*core::Cidr::parse("10.0.0.1")});
  auto a = limit.admit("192.0.2.1");
  auto b = limit.admit("192.0.2.1");
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(limit.admit("192.0.2.1"));  // the third from the same address
  CHECK(limit.admit("192.0.2.2"));        // another address is counted on its own
  limit.release(*a);
  CHECK(limit.admit("192.0.2.1"));  // a slot came free

  // Every address of one /64 is one client; the next /64 is another.
  REQUIRE(limit.admit("2001:db8:0:1::1"));
  REQUIRE(limit.admit("2001:db8:0:1:ffff::2"));
  CHECK_FALSE(limit.admit("2001:db8:0:1:abcd::3"));
  CHECK(limit.admit("2001:db8:0:2::1"));
  CHECK(limit.open("2001:db8:0:1::9") == 2);

  // The trusted proxy carries many clients: never refused, never counted.
  for (int i = 0; i < 10; ++i) {
    auto p = limit.admit("10.0.0.1");
    REQUIRE(p);
    CHECK(p->empty());
  }
  CHECK(limit.open("10.0.0.1") == 0);
}
