#include "http/form.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::http;

TEST_CASE("url decoding handles plus, escapes and refuses broken escapes", "[http][form]") {
  CHECK(url_decode("a+b%20c%2B") == "a b c+");
  CHECK(url_decode("%41%6a") == "Aj");
  CHECK_FALSE(url_decode("%").has_value());
  CHECK_FALSE(url_decode("%4").has_value());
  CHECK_FALSE(url_decode("%zz").has_value());
  CHECK(url_encode("a b/é") == "a%20b%2F%C3%A9");
}

TEST_CASE("forms with repeated fields are refused as a whole", "[http][form][V15.3.7]") {
  auto f = parse_form("email=a%40b.c&password=x+y&&empty=");
  REQUIRE(f);
  CHECK(f->at("email") == "a@b.c");
  CHECK(f->at("password") == "x y");
  CHECK(f->at("empty").empty());
  CHECK_FALSE(parse_form("role=viewer&role=owner").has_value());
  CHECK_FALSE(parse_form("=x").has_value());
  CHECK_FALSE(parse_form("a=%G0").has_value());
  std::string many;
  for (int i = 0; i < 70; ++i) many += "f" + std::to_string(i) + "=1&";
  CHECK_FALSE(parse_form(many).has_value());
}

TEST_CASE("cookie values are found by exact name", "[http][form]") {
  CHECK(cookie_value("a=1; __Host-airlock_session=tok; b=2", "__Host-airlock_session") == "tok");
  CHECK_FALSE(cookie_value("x__Host-airlock_session=tok", "__Host-airlock_session").has_value());
  CHECK_FALSE(cookie_value("", "a").has_value());
}

TEST_CASE("decoded text must be well-formed UTF-8", "[http][form][V1.5.2]") {
  CHECK_FALSE(url_decode("%FF"));
  CHECK_FALSE(url_decode("a%C0%AFb"));        // overlong '/'
  CHECK_FALSE(url_decode("%ED%A0%80"));       // a UTF-16 surrogate
  CHECK_FALSE(url_decode("%F4%90%80%80"));    // above U+10FFFF
  CHECK_FALSE(url_decode("%E2%82"));          // cut short
  CHECK(url_decode("%C3%A9t%C3%A9") == "\xc3\xa9t\xc3\xa9");
  CHECK(url_decode("%F0%9F%94%92") == "\xf0\x9f\x94\x92");
  CHECK_FALSE(parse_form("name=k&models=%FF"));
  CHECK_FALSE(parse_form("%FF=1"));
}
