#include "http/json_body.h"

#include <catch2/catch_test_macros.hpp>
#include <cstdint>

using namespace airlock::http;
using nlohmann::json;

namespace {

// A Request only views its strings, so the test keeps them alive beside it.
struct Held {
  std::string body, type;
  Request req;
  Held(std::string b, std::string t = "application/json") : body(std::move(b)), type(std::move(t)) {
    req.method = "POST";
    req.body = body;
    req.request_id = std::string(1, 't');  // not = "t": GCC 12 -Wrestrict false positive (bug 105329)
    req.headers = {{"Content-Type", type}};
  }
};

std::string code_of(const Response& r) { return json::parse(r.body)["error"]["code"]; }

}  // namespace

TEST_CASE("a JSON object that repeats a key at any depth is refused", "[http][json][V15.3.7]") {
  std::string err;
  CHECK(parse_json_strict(R"({"a":1,"b":{"a":2}})"));
  for (const char* bad : {R"({"a":1,"a":2})", R"({"x":{"k":1,"k":1}})", R"({"x":[{"k":1},{"k":2,"k":3}]})",
                          R"({"model":"a","\u006dodel":"b"})", R"([{"a":1,"a":1}])", R"({"a":{},"a":{}})",
                          R"({"a":[],"a":1})", R"({"a":[[],{}],"a":1})", R"({"x":{"y":[1,{"z":1}]},"x":2})"}) {
    INFO(bad);
    err.clear();
    CHECK_FALSE(parse_json_strict(bad, &err));
    CHECK(err == "duplicate_key");
  }
  // The same key in sibling objects and in arrays of objects is not a repeat.
  CHECK(parse_json_strict(R"({"x":[{"k":1},{"k":2}],"y":{"k":3}})"));
  CHECK_FALSE(parse_json_strict(R"({"a":)", &err));
  CHECK(err == "invalid_json");
}

TEST_CASE("JSON bodies need the JSON media type and one object", "[http][json]") {
  auto wrong_type = JsonBody::read(Held("{}", "application/x-www-form-urlencoded").req);
  REQUIRE(std::holds_alternative<Response>(wrong_type));
  CHECK(std::get<Response>(wrong_type).status == 415);
  CHECK(std::holds_alternative<JsonBody>(JsonBody::read(Held("{}", "application/json; charset=utf-8").req)));
  CHECK(std::holds_alternative<JsonBody>(JsonBody::read(Held("{}", "Application/JSON").req)));
  auto arr = JsonBody::read(Held("[1]").req);
  REQUIRE(std::holds_alternative<Response>(arr));
  CHECK(std::get<Response>(arr).status == 400);
  CHECK(code_of(std::get<Response>(arr)) == "not_an_object");
  auto dup = JsonBody::read(Held(R"({"role":"viewer","role":"owner"})").req);
  REQUIRE(std::holds_alternative<Response>(dup));
  CHECK(code_of(std::get<Response>(dup)) == "duplicate_key");
  // No body at all is an empty object, whatever the type says.
  CHECK(std::holds_alternative<JsonBody>(JsonBody::read(Held("", "text/plain").req)));
}

TEST_CASE("typed fields report wrong types, out-of-range numbers and unknown keys", "[http][json]") {
  Held held(R"({"name":"ci","days":400,"flag":"yes","big":18446744073709551615,"extra":1})");
  auto parsed = JsonBody::read(held.req);
  REQUIRE(std::holds_alternative<JsonBody>(parsed));
  auto& b = std::get<JsonBody>(parsed);
  CHECK(b.string("name") == "ci");
  CHECK_FALSE(b.integer("days", 0, 365));
  CHECK_FALSE(b.boolean("flag"));
  CHECK_FALSE(b.integer("big", 0, 1000));
  CHECK_FALSE(b.integer("big", 0, INT64_MAX));  // 2^64-1 must not wrap into range
  CHECK_FALSE(b.string("absent"));
  b.missing("absent");
  auto refused = b.refusal(held.req);
  REQUIRE(refused);
  CHECK(refused->status == 422);
  auto fields = json::parse(refused->body)["error"]["fields"];
  CHECK(fields.size() == 5);
  CHECK(fields["days"] == "must be an integer from 0 to 365");
  CHECK(fields["extra"] == "is not a known field");
  CHECK(fields["absent"] == "is required");
  // "Missing" never hides a type error on the same field.
  b.missing("flag");
  CHECK(json::parse(b.refusal(held.req)->body)["error"]["fields"]["flag"] == "must be true or false");

  Held edges(R"({"neg":-1,"float":1.5,"max":9223372036854775807,"over":9223372036854775808})");
  auto e = std::get<JsonBody>(JsonBody::read(edges.req));
  CHECK_FALSE(e.integer("neg", 0, 10));
  CHECK_FALSE(e.integer("float", 0, 10));
  CHECK(e.integer("max", 0, INT64_MAX) == INT64_MAX);
  CHECK_FALSE(e.integer("over", 0, INT64_MAX));

  Held ok_held(R"({"name":"ci","days":0})");
  auto ok = std::get<JsonBody>(JsonBody::read(ok_held.req));
  CHECK(ok.string("name", 2) == "ci");
  CHECK(ok.integer("days", 0, 365) == 0);
  CHECK_FALSE(ok.refusal(ok_held.req));
  Held long_held(R"({"name":"abc"})");
  auto too_long = std::get<JsonBody>(JsonBody::read(long_held.req));
  CHECK_FALSE(too_long.string("name", 2));
  CHECK(too_long.refusal(long_held.req));
}
