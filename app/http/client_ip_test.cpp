#include "http/client_ip.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;

namespace {
std::vector<core::Cidr> proxies(const char* list) {
  std::string err;
  return *core::parse_cidr_list(list, &err);
}
}  // namespace

TEST_CASE("X-Forwarded-For is ignored unless the peer is a trusted proxy", "[http][V4.1.1]") {
  CHECK(http::resolve_client_ip("203.0.113.9", "1.2.3.4", {}) == "203.0.113.9");
  CHECK(http::resolve_client_ip("203.0.113.9", "1.2.3.4", proxies("10.0.0.0/8")) == "203.0.113.9");
}

TEST_CASE("the client is the rightmost untrusted hop, so a forged left part is not believed", "[http]") {
  auto p = proxies("10.0.0.0/8");
  CHECK(http::resolve_client_ip("10.0.0.2", "198.51.100.7", p) == "198.51.100.7");
  // The client sent its own "X-Forwarded-For: 6.6.6.6"; the proxy appended the real address.
  CHECK(http::resolve_client_ip("10.0.0.2", "6.6.6.6, 198.51.100.7", p) == "198.51.100.7");
  // Chained proxies are skipped.
  CHECK(http::resolve_client_ip("10.0.0.2", "198.51.100.7, 10.0.0.3", p) == "198.51.100.7");
  // All hops trusted: the leftmost is the best we know.
  CHECK(http::resolve_client_ip("10.0.0.2", "10.0.0.9,10.0.0.3", p) == "10.0.0.9");
}

TEST_CASE("an unparseable hop stops the walk at the last trusted address", "[http]") {
  auto p = proxies("10.0.0.0/8");
  CHECK(http::resolve_client_ip("10.0.0.2", "evil, 10.0.0.3", p) == "10.0.0.3");
  CHECK(http::resolve_client_ip("10.0.0.2", "127.1", p) == "10.0.0.2");
  CHECK(http::resolve_client_ip("10.0.0.2", "", p) == "10.0.0.2");
  CHECK(http::resolve_client_ip("::ffff:10.0.0.2", "2001:db8::5", p) == "2001:db8::5");
}

TEST_CASE("request ids are kept only in the safe alphabet and length", "[http]") {
  CHECK(http::valid_request_id("abc-DEF_1.2"));
  CHECK(http::valid_request_id(std::string(64, 'a')));
  CHECK_FALSE(http::valid_request_id(std::string(65, 'a')));
  CHECK_FALSE(http::valid_request_id(""));
  CHECK_FALSE(http::valid_request_id("a b"));
  CHECK_FALSE(http::valid_request_id("a\nb"));
  CHECK_FALSE(http::valid_request_id("a\"b"));
}

TEST_CASE("a list that starts with a comma ends the walk (fuzz: it looped forever)", "[http][V4.1.1]") {
  auto p = proxies("10.0.0.0/8");
  CHECK(http::resolve_client_ip("10.0.0.1", ",10.0.0.3", p) == "10.0.0.3");
  CHECK(http::resolve_client_ip("10.0.0.1", ",", p) == "10.0.0.1");
  CHECK(http::resolve_client_ip("10.0.0.1", ",,,", p) == "10.0.0.1");
  CHECK(http::resolve_client_ip("10.0.0.1", " , 10.0.0.7, 10.0.0.3", p) == "10.0.0.7");
  CHECK(http::resolve_client_ip("10.0.0.1", "198.51.100.2, 10.0.0.3", p) == "198.51.100.2");
}
