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
