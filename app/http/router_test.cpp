#include "http/router.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::http;

namespace {
Router sample() {
  Router r;
  auto ok = [](Request&) { return Response{}; };
  r.add({"GET", "/healthz", Access::kPublic, ok});
  r.add({"GET", "/api/v1/keys/{key_id}", Access::kPublic, ok});
  r.add({"DELETE", "/api/v1/keys/{key_id}", Access::kPublic, ok});
  return r;
}
}  // namespace

TEST_CASE("routes match literally and capture parameters", "[http][router]") {
  auto r = sample();
  auto m = r.match("GET", "/api/v1/keys/k_123");
  REQUIRE(m.route);
  CHECK(m.route->pattern == "/api/v1/keys/{key_id}");
  REQUIRE(m.params.size() == 1);
  CHECK(m.params[0].second == "k_123");
  CHECK(r.match("HEAD", "/healthz").route);
}

TEST_CASE("a rest parameter takes the remaining segments, slashes included", "[http][router]") {
  Router r;
  auto ok = [](Request&) { return Response{}; };
  r.add({"GET", "/v1/models/{model_id...}", Access::kPublic, ok});
  auto m = r.match("GET", "/v1/models/meta-llama/Llama-3.1-8B");
  REQUIRE(m.route);
  REQUIRE(m.params.size() == 1);
  CHECK(m.params[0].first == "model_id");
  CHECK(m.params[0].second == "meta-llama/Llama-3.1-8B");
  CHECK(r.match("GET", "/v1/models/gpt-4o").params[0].second == "gpt-4o");
  CHECK_FALSE(r.match("GET", "/v1/models/").route);
  CHECK_FALSE(r.match("GET", "/v1/models").route);
}

TEST_CASE("near misses do not match", "[http][router]") {
  auto r = sample();
  for (const char* p : {"/healthz/", "/healthzz", "//healthz", "/api/v1/keys/", "/api/v1/keys", "/api/v1/keys/a/b",
                        "", "healthz"}) {
    INFO(p);
    CHECK_FALSE(r.match("GET", p).route);
  }
}

TEST_CASE("a known path with the wrong method reports the allowed methods", "[http][router]") {
  auto r = sample();
  auto m = r.match("POST", "/api/v1/keys/x");
  CHECK_FALSE(m.route);
  CHECK(m.allowed == "GET, HEAD, DELETE");
  CHECK(r.match("POST", "/nope").allowed.empty());
}
