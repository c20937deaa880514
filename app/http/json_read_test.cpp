#include "http/json_read.h"

#include <catch2/catch_test_macros.hpp>
#include <chrono>

#include "http/json_body.h"

using namespace airlock::http;

namespace {

std::string nested(int depth) { return std::string(depth, '[') + "0" + std::string(depth, ']'); }

std::string wide_object(int keys) {
  std::string s = "{";
  for (int i = 0; i < keys; ++i) s += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  return s + "}";
}

template <class F>
std::string error_of(F&& parse, const std::string& text) {
  std::string err;
  CHECK_FALSE(parse(text, &err, JsonLimits{}));
  return err;
}

}  // namespace

TEST_CASE("depth is bounded while parsing: 64 levels pass, 65 and 100,000 do not", "[http][json][V1.5.2]") {
  for (auto parse : {+[](std::string_view t, std::string* e, const JsonLimits& l) { return parse_json_strict(t, e, l).has_value(); },
                     +[](std::string_view t, std::string* e, const JsonLimits& l) { return parse_json_strict_ordered(t, e, l).has_value(); }}) {
    CHECK(parse(nested(64), nullptr, {}));
    CHECK(error_of(parse, nested(65)) == "json_too_deep");
    CHECK(error_of(parse, nested(100000)) == "json_too_deep");
    CHECK(error_of(parse, std::string(100000, '[')) == "json_too_deep");  // unterminated: the depth stops it first
    std::string objects;
    for (int i = 0; i < 65; ++i) objects += "{\"a\":";
    objects += "0" + std::string(65, '}');
    CHECK(error_of(parse, objects) == "json_too_deep");
  }
  // What passes can be dumped and copied: nothing left to recurse deeper than the limit.
  auto j = parse_json_strict_ordered(nested(64));
  REQUIRE(j);
  auto copy = *j;
  CHECK(copy.dump().size() == 64 * 2 + 1);
}

TEST_CASE("members per object and elements per array are bounded, and the cost stays linear", "[http][json][V1.5.2]") {
  CHECK(parse_json_strict_ordered(wide_object(1000)));
  std::string err;
  CHECK_FALSE(parse_json_strict_ordered(wide_object(1001), &err));
  CHECK(err == "json_too_many_members");
  CHECK_FALSE(parse_json_strict(wide_object(100000), &err));
  CHECK(err == "json_too_many_members");

  std::string arr = "[";
  for (int i = 0; i < 100001; ++i) arr += i ? ",0" : "0";
  arr += "]";
  CHECK_FALSE(parse_json_strict(arr, &err));
  CHECK(err == "json_too_many_members");
  arr.erase(arr.size() - 3, 2);  // 100,000 elements
  CHECK(parse_json_strict(arr));

  // Smaller limits apply as given.
  CHECK_FALSE(parse_json_strict(R"({"a":1,"b":2})", &err, {.max_members = 1}));
  CHECK_FALSE(parse_json_strict("[[1,2]]", &err, {.max_items = 1}));
  CHECK_FALSE(parse_json_strict("[[1]]", &err, {.max_depth = 1}));
  CHECK(err == "json_too_deep");
}

TEST_CASE("many objects of many members: duplicates found by hash, order kept", "[http][json][V15.3.7]") {
  // 100 objects of 1,000 members each: linear work (the old reader inserted with a linear search).
  std::string many = "[";
  for (int i = 0; i < 100; ++i) many += (i ? "," : "") + wide_object(1000);
  many += "]";
  auto j = parse_json_strict_ordered(many);
  REQUIRE(j);
  CHECK((*j)[99].size() == 1000);
  CHECK((*j)[0].begin().key() == "k0");
  CHECK((*j)[0].items().begin().value() == 0);
  auto last = wide_object(1000);
  last.insert(last.size() - 1, ",\"k999\":1");
  std::string err;
  CHECK_FALSE(parse_json_strict_ordered(last, &err, {.max_members = 2000}));
  CHECK(err == "duplicate_key");
  // Order as sent, not sorted.
  auto o = parse_json_strict_ordered(R"({"z":1,"a":{"y":2,"b":3}})");
  REQUIRE(o);
  CHECK(o->dump() == R"({"z":1,"a":{"y":2,"b":3}})");
}

TEST_CASE("anything after the value is refused, a NUL included; invalid UTF-8 too", "[http][json][V1.5.2]") {
  std::string err;
  for (std::string bad : {std::string("{}\0{}", 5), std::string("{\"a\":1}\0", 8), std::string("{} x"),
                          std::string("{}{}"), std::string("\"\xff\""), std::string("{\"a\":\"\xc0\xaf\"}"),
                          std::string("{\"a\":\"\xed\xa0\x80\"}"), std::string(""), std::string("1e400")}) {
    INFO(bad);
    CHECK_FALSE(parse_json_strict(bad, &err));
    CHECK(err == "invalid_json");
    CHECK_FALSE(parse_json_strict_ordered(bad, &err));
  }
  CHECK(parse_json_strict(" {} \n"));
  CHECK(parse_json_strict(R"(["\u00e9", "é", 1e300, -9223372036854775808, 18446744073709551615])"));
}

TEST_CASE("JsonBody refuses a deep body with json_too_deep before anything else reads it", "[http][json][V1.5.2]") {
  std::string body = R"({"name":)" + nested(2000) + "}";
  Request req;
  req.method = "POST";
  req.body = body;
  std::string type = "application/json";
  req.headers = {{"Content-Type", type}};
  auto r = JsonBody::read(req);
  REQUIRE(std::holds_alternative<Response>(r));
  CHECK(std::get<Response>(r).status == 400);
  CHECK(nlohmann::json::parse(std::get<Response>(r).body)["error"]["code"] == "json_too_deep");
}
