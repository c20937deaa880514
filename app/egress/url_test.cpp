// ASVS V1.3.6 / V12.3.x: destination URLs have one reading. Every rule of egress/url.h with the
// spellings that have bypassed other parsers.
#include "egress/url.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::egress;

TEST_CASE("destination URLs are parsed into what will be dialled", "[egress][url]") {
  std::string err;
  auto u = parse_url("https://api.openai.com/v1/", &err);
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.openai.com");
  CHECK(u->port == 443);
  CHECK(u->base_path == "/v1");
  CHECK_FALSE(u->ip);
  CHECK(u->origin() == "https://api.openai.com:443");
  CHECK(u->authority() == "api.openai.com");

  auto ip = parse_url("http://10.0.0.5:8000", &err);
  REQUIRE(ip);
  REQUIRE(ip->ip);
  CHECK(ip->ip->to_string() == "10.0.0.5");
  CHECK(ip->port == 8000);
  CHECK(ip->base_path.empty());
  CHECK(ip->authority() == "10.0.0.5:8000");

  auto v6 = parse_url("https://[2001:DB8:0::1]:8443/v1", &err);
  REQUIRE(v6);
  CHECK(v6->host == "2001:db8::1");  // one canonical spelling
  CHECK(v6->origin() == "https://[2001:db8::1]:8443");
  CHECK(v6->authority() == "[2001:db8::1]:8443");
  auto mapped = parse_url("https://[::ffff:127.0.0.1]/", &err);
  REQUIRE(mapped);
  CHECK(mapped->ip->v4);  // judged as the IPv4 address it carries
  CHECK(mapped->authority() == "[::ffff:127.0.0.1]");

  // Upper case is folded; names that merely contain digits or hex-looking labels are names.
  auto upper = parse_url("https://API.Example.COM/v1", &err);
  REQUIRE(upper);
  CHECK(upper->host == "api.example.com");
  CHECK(parse_url("https://0x7f.example.com/v1", &err));
  CHECK(parse_url("https://api2.example.com/v1", &err));
  CHECK(parse_url("https://xn--bcher-kva.example/v1", &err));
  CHECK(parse_url("https://a-b.example:1/", &err));
  CHECK(parse_url("https://a.example:65535/", &err));
}

TEST_CASE("destination URLs with credentials, odd hosts or other schemes are refused", "[egress][url][V1.3.6]") {
  struct Row {
    const char* url;
    const char* why;  // a part of the message
  };
  const Row rows[] = {
      // scheme
      {"ftp://x", "https://"},
      {"HTTPS://api.example.com/", "https://"},
      {"file:///etc/passwd", "https://"},
      {"gopher://127.0.0.1:25/", "https://"},
      {"api.openai.com/v1", "https://"},
      {"//api.openai.com/v1", "https://"},
      {"https:/api.example.com", "https://"},
      // userinfo
      {"https://user:pass@api.openai.com/v1", "credentials"},
      {"https://api.example.com@127.0.0.1/", "credentials"},
      {"https://api.example.com:443@127.0.0.1/", "credentials"},
      {"https://@127.0.0.1/", "credentials"},
      // query, fragment
      {"https://host.example/v1?key=abc", "query or fragment"},
      {"https://host.example/v1#x", "query or fragment"},
      {"http://a.example#@127.0.0.1", "query or fragment"},
      {"http://a.example?@127.0.0.1/", "query or fragment"},
      // backslashes, whitespace, control characters
      {"https://api.example.com\\@127.0.0.1/", "backslash"},
      {"https://127.0.0.1\\.api.example.com/", "backslash"},
      {"https://ho st/", "spaces"},
      {"https://host.example/v 1", "spaces"},
      {"https://host.example/\r\nX: y", "spaces"},
      {"https://host.example\t/", "spaces"},
      {" https://host.example/", "spaces"},
      {"https://host.example/\x7f", "spaces"},
      // numeric IPv4 spellings other than the dotted quad
      {"https://127.1/", "dotted-quad"},
      {"https://127.0.1/", "dotted-quad"},
      {"https://2130706433/", "dotted-quad"},
      {"https://0x7f000001/", "dotted-quad"},
      {"https://0x7f.0.0.1/", "dotted-quad"},
      {"https://0X7F.1/", "dotted-quad"},
      {"https://0177.0.0.1/", "dotted-quad"},
      {"https://017700000001/", "dotted-quad"},
      {"https://127.000.000.001/", "dotted-quad"},
      {"https://127.0.0.01/", "dotted-quad"},
      {"https://1.2.3.4.5/", "dotted-quad"},
      {"https://256.0.0.1/", "dotted-quad"},
      {"https://127.0.0.1./", "dotted-quad"},
      {"https://evil.0x7f/", "dotted-quad"},
      {"https://evil.example.127/", "dotted-quad"},
      {"https://evil.0x/", "dotted-quad"},
      // host names
      {"https:///v1", "needs a host"},
      {"https://", "needs a host"},
      {"https://:443/", "needs a host"},
      {"https://api.example.com./", "ending in a dot"},
      {"https://api..example.com/", "empty label"},
      {"https://.example.com/", "empty label"},
      {"https://exa_mple.com/", "characters a DNS name"},
      {"https://-a.example/", "'-'"},
      {"https://a-.example/", "'-'"},
      {"https://%31%32%37.0.0.1/", "percent-encoding"},
      {"https://api.example%2ecom/", "percent-encoding"},
      {"https://b\xc3\xbc" "cher.example/", "xn--"},
      {"https://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0.1/", "xn--"},  // full-width digits
      {"https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example/", "63"},
      // IPv6
      {"https://[::1", "unclosed"},
      {"https://[zz]", "invalid IPv6"},
      {"https://[127.0.0.1]/", "invalid IPv6"},
      {"https://[::1]x/", "junk"},
      {"https://[fe80::1%25eth0]/", "zone"},
      {"https://[fe80::1%eth0]/", "zone"},
      {"https://::1/", "needs a host"},
      // ports
      {"https://host.example:0", "1-65535"},
      {"https://host.example:65536", "1-65535"},
      {"https://host.example:", "empty port"},
      {"https://host.example:0443/", "1-65535"},
      {"https://host.example:+443/", "1-65535"},
      {"https://host.example:-1/", "1-65535"},
      {"https://host.example:443:443/", "1-65535"},
      {"https://host.example:99999999999/", "1-65535"},
      {"https://[::1]:/", "empty port"},
      // path
      {"https://host.example/v1/<script>", "path"},
      {"https://host.example/\"", "path"},
  };
  for (const auto& r : rows) {
    INFO(r.url);
    std::string err;
    CHECK_FALSE(parse_url(r.url, &err));
    CHECK(err.find(r.why) != std::string::npos);
  }
  std::string err;
  CHECK_FALSE(parse_url("https://a.example/" + std::string(2100, 'a'), &err));
  CHECK_FALSE(parse_url("https://" + std::string(250, 'a') + ".example/", &err));
}
