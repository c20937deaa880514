#include "gateway/upstream_url.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::gateway;

TEST_CASE("provider base URLs are parsed into what will be dialled", "[gateway][url]") {
  std::string err;
  auto u = parse_upstream_url("https://api.openai.com/v1/", &err);
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.openai.com");
  CHECK(u->port == 443);
  CHECK(u->base_path == "/v1");
  CHECK_FALSE(u->host_is_ip);
  CHECK(u->origin() == "https://api.openai.com:443");

  auto ip = parse_upstream_url("http://10.0.0.5:8000", &err);
  REQUIRE(ip);
  CHECK(ip->host_is_ip);
  CHECK(ip->port == 8000);
  CHECK(ip->base_path.empty());

  auto v6 = parse_upstream_url("https://[::1]:8443/v1", &err);
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->origin() == "https://[::1]:8443");
  // Names that merely contain digits or hex-looking labels are names.
  CHECK(parse_upstream_url("https://0x7f.example.com/v1", &err));
  CHECK(parse_upstream_url("https://api2.example.com/v1", &err));
}

TEST_CASE("base URLs with credentials, odd hosts or other schemes are refused", "[gateway][url][V12.3.1]") {
  std::string err;
  for (const char* bad : {"ftp://x", "api.openai.com/v1", "https://user:pass@api.openai.com/v1",
                          "https://api.openai.com@169.254.169.254/", "https://host/v1?key=abc", "https://host/v1#x",
                          "https://", "https://host:0", "https://host:65536", "https://host:", "https://[::1", "https://[zz]",
                          "https://127.1/", "https://0x7f000001/", "https://2130706433/", "https://ho st/",
                          "https://host/v 1", "https://host/\r\nX: y", "https://exa_mple.com/", "https://0X7F.1/", "https://evil.0x7f/", "https://1.2.3.4.5/",
                          "https://017700000001/"}) {
    INFO(bad);
    CHECK_FALSE(parse_upstream_url(bad, &err));
    CHECK_FALSE(err.empty());
  }
}
