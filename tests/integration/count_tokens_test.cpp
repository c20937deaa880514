// POST /v1/messages/count_tokens on the real binary: passed to an Anthropic-type provider, rate
// limited like any request, never charged against token budgets; for a model without such a
// provider a clear 400.
#include <catch2/catch_test_macros.hpp>

#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

const char* kTwoMessages =
    R"({"model":"claude-test","system":"be brief","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]})";

}  // namespace

TEST_CASE("count_tokens goes to the Anthropic-type provider and is rate limited but never charged",
          "[integration][gateway][count_tokens]") {
  Gateway g(kMockProvision);
  auto key = g.key({"--rpm=3", "--monthly-tokens=5", "--max-tokens=10"});
  auto r = g.post("/v1/messages/count_tokens", "", kTwoMessages, {{"x-api-key", key}});
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body) == json{{"input_tokens", 21}});  // the mock's count: 10 per message + 1
  CHECK(r.headers.count("request-id") == 1);
  auto sent = g.mock->requests().back();
  CHECK(sent["path"] == "/v1/messages/count_tokens");
  CHECK(sent["headers"]["x-api-key"] == kVendorKey);
  CHECK(sent["headers"]["anthropic-version"] == "2023-06-01");
  auto body = json::parse(sent["body"].get<std::string>());
  CHECK(body["model"] == "claude-upstream");
  CHECK_FALSE(body.contains("max_tokens"));  // the key's cap is for generation; the vendor refuses the field here

  // A budget of 5 tokens: generation is refused up front, counting goes on; rpm counts both.
  auto gen = g.post("/v1/messages", "", R"({"model":"claude-test","max_tokens":10,"messages":[]})", {{"x-api-key", key}});
  CHECK(gen.status == 429);
  CHECK(json::parse(gen.body)["error"]["type"] == "rate_limit_error");
  int ok = 1;
  HttpReply last;
  for (int i = 0; i < 4; ++i) {
    last = g.post("/v1/messages/count_tokens", "", kTwoMessages, {{"x-api-key", key}});
    if (last.status == 200) ++ok;
    else break;
  }
  CHECK(ok == 3);
  CHECK(last.status == 429);
  CHECK(last.headers.count("retry-after") == 1);
}

TEST_CASE("count_tokens for a model with no Anthropic-type provider is a clear 400, in Anthropic's shape",
          "[integration][gateway][count_tokens]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  auto before = g.mock->requests().size();
  auto r = g.post("/v1/messages/count_tokens", key, R"({"model":"gpt-test","messages":[{"role":"user","content":"hi"}]})");
  CHECK(r.status == 400);
  auto j = json::parse(r.body);
  CHECK(j["type"] == "error");
  CHECK(j["error"]["type"] == "invalid_request_error");
  CHECK(j["error"]["message"].get<std::string>().find("Anthropic-type provider") != std::string::npos);
  CHECK(g.mock->requests().size() == before);  // nothing went upstream
  // The usual refusals hold: a missing model, a missing key.
  CHECK(g.post("/v1/messages/count_tokens", key, R"({"messages":[]})").status == 400);
  CHECK(g.post("/v1/messages/count_tokens", "", R"({"model":"claude-test","messages":[]})").status == 401);
}
