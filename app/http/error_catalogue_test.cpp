#include "http/error_catalogue.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::http;

TEST_CASE("the error catalogue: known codes get their status, anything else is internal", "[http][errors][V16.5.1]") {
  CHECK(status_for_code("forbidden") == 403);
  CHECK(status_for_code("last_owner") == 409);
  CHECK(status_for_code("password_common") == 422);
  CHECK(status_for_code("session_ended") == 401);
  CHECK(status_for_code("user_not_found") == 404);
  // A store error or a code nobody catalogued never reaches a client as anything but a 500.
  CHECK(status_for_code("store_error") == 500);
  CHECK(status_for_code("") == 500);
  CHECK(status_for_code("Forbidden") == 500);
  CHECK(catalogued("owner_only")->rule_refusal);
  CHECK(catalogued("last_owner")->rule_refusal);
  CHECK_FALSE(catalogued("email_taken")->rule_refusal);
}

TEST_CASE("the /v1 codes are in the same catalogue, each with one status", "[http][errors][gateway]") {
  CHECK(status_for_code("invalid_request") == 400);
  CHECK(status_for_code("json_too_deep") == 400);
  CHECK(status_for_code("max_tokens_too_large") == 400);
  CHECK(status_for_code("missing_api_key") == 401);
  CHECK(status_for_code("model_not_allowed") == 403);
  CHECK(catalogued("ip_not_allowed")->rule_refusal);
  CHECK(status_for_code("model_not_found") == 404);
  CHECK(status_for_code("insufficient_quota") == 429);
  CHECK(status_for_code("rate_limit_exceeded") == 429);
  CHECK(status_for_code("upstream_tls_error") == 502);
  CHECK(status_for_code("upstream_busy") == 503);
  CHECK(status_for_code("upstream_timeout") == 504);
}
