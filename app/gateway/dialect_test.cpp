#include "gateway/dialect.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using namespace airlock::gateway;
using nlohmann::json;

namespace {
std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}
}  // namespace

TEST_CASE("dialect errors take their status from the catalogue, in each dialect's shape", "[gateway][errors][V16.5.1]") {
  http::Request req;
  req.request_id = "req_1";
  auto openai = dialect_error(Dialect::kOpenAI, "model_not_allowed", "No.", req, 0, true, "model");
  CHECK(openai.status == 403);
  auto o = json::parse(openai.body);
  CHECK(o["error"]["type"] == "permission_error");
  CHECK(o["error"]["code"] == "model_not_allowed");
  CHECK(o["error"]["param"] == "model");

  auto anthropic = dialect_error(Dialect::kAnthropic, "upstream_busy", "Busy.", req, 1);
  CHECK(anthropic.status == 503);
  auto a = json::parse(anthropic.body);
  CHECK(a["type"] == "error");
  CHECK(a["error"]["type"] == "overloaded_error");
  CHECK(header(anthropic, "Retry-After") == "1");
  CHECK(header(anthropic, "request-id") == "req_1");

  auto quota = dialect_error(Dialect::kOpenAI, "insufficient_quota", "Spent.", req, 0, false);
  CHECK(quota.status == 429);
  CHECK(header(quota, "x-should-retry") == "false");

  // A code nobody catalogued is an internal error, and its own text never reaches the client.
  auto odd = dialect_error(Dialect::kOpenAI, "store_error", "SELECT secret FROM keys failed", req);
  CHECK(odd.status == 500);
  CHECK(json::parse(odd.body)["error"]["code"] == "internal_error");
  CHECK(odd.body.find("SELECT") == std::string::npos);
}
