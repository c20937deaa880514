#include "gateway/request_plan.h"

#include <catch2/catch_test_macros.hpp>
#include <limits>

using namespace airlock;
using namespace airlock::gateway;
using Json = nlohmann::ordered_json;

namespace {

RequestFields fields_of(const Endpoint& ep, const Json& body) { return std::get<RequestFields>(read_request_fields(ep, body)); }

}  // namespace

TEST_CASE("the key's max_tokens cap holds every field that can ask for more", "[gateway][plan][V2.2.1]") {
  store::GatewayKeyLimits capped{.max_tokens_cap = 100};
  for (const char* field : {"max_tokens", "max_completion_tokens"}) {
    Json body = {{"model", "m"}, {field, 101}};
    auto f = fields_of(kChat, body);
    auto bad = hold_to_key_cap(kChat, capped, f, body);
    REQUIRE(bad);
    CHECK(bad->code == "max_tokens_too_large");
    CHECK(bad->param == field);
  }
  // Both present: the larger one is refused even when the other is small.
  Json both = {{"model", "m"}, {"max_tokens", 5}, {"max_completion_tokens", 500}};
  auto fb = fields_of(kChat, both);
  REQUIRE(hold_to_key_cap(kChat, capped, fb, both));
  // At the cap: allowed, untouched.
  Json at = {{"model", "m"}, {"max_tokens", 100}};
  auto fa = fields_of(kChat, at);
  CHECK_FALSE(hold_to_key_cap(kChat, capped, fa, at));
  CHECK(at["max_tokens"] == 100);
  // None named: the cap goes upstream.
  Json none = {{"model", "m"}};
  auto fn = fields_of(kMessages, none);
  CHECK_FALSE(hold_to_key_cap(kMessages, capped, fn, none));
  CHECK(none["max_tokens"] == 100);
  CHECK(fn.generation_cap() == 100);
  // A cap beyond what a client may ask (keys allow up to 10^12): what goes upstream stays in range.
  Json wide = {{"model", "m"}};
  auto fw = fields_of(kChat, wide);
  CHECK_FALSE(hold_to_key_cap(kChat, {.max_tokens_cap = 1'000'000'000'000}, fw, wide));
  CHECK(wide["max_tokens"] == kMaxTokensLimit);
  CHECK(fw.generation_cap() == kMaxTokensLimit);
  // No cap: nothing changes.
  Json free = {{"model", "m"}};
  auto ff = fields_of(kChat, free);
  CHECK_FALSE(hold_to_key_cap(kChat, {}, ff, free));
  CHECK_FALSE(free.contains("max_tokens"));
}

TEST_CASE("stream usage is asked for on OpenAI streams the client did not ask it for", "[gateway][plan]") {
  Json plain = {{"model", "m"}, {"stream", true}};
  CHECK(ask_for_stream_usage(kChat, fields_of(kChat, plain), plain));
  CHECK(plain["stream_options"]["include_usage"] == true);
  Json asked = {{"model", "m"}, {"stream", true}, {"stream_options", {{"include_usage", true}}}};
  CHECK_FALSE(ask_for_stream_usage(kChat, fields_of(kChat, asked), asked));
  Json declined = {{"model", "m"}, {"stream", true}, {"stream_options", {{"include_usage", false}}}};
  CHECK(ask_for_stream_usage(kChat, fields_of(kChat, declined), declined));
  CHECK(declined["stream_options"]["include_usage"] == true);
  Json anthropic = {{"model", "m"}, {"stream", true}};
  CHECK_FALSE(ask_for_stream_usage(kMessages, fields_of(kMessages, anthropic), anthropic));
  CHECK_FALSE(anthropic.contains("stream_options"));
  Json embeddings = {{"model", "m"}, {"stream", true}};  // not streamable: stream is ignored
  CHECK_FALSE(ask_for_stream_usage(kEmbeddings, fields_of(kEmbeddings, embeddings), embeddings));
}

TEST_CASE("the token estimate: prompt bytes / 4 plus generation × choices, never wrapping", "[gateway][plan]") {
  Json body = {{"model", "m"}, {"max_tokens", 10}, {"n", 3}};
  CHECK(token_estimate(kChat, fields_of(kChat, body), 400) == 100 + 30);
  Json plain = {{"model", "m"}};
  CHECK(token_estimate(kChat, fields_of(kChat, plain), 0) == kDefaultMaxTokens);
  CHECK(token_estimate(kEmbeddings, fields_of(kEmbeddings, plain), 40) == 10);
  Json most = {{"model", "m"}, {"max_tokens", kMaxTokensLimit}, {"n", kMaxChoices}, {"best_of", kMaxBestOf}};
  CHECK(token_estimate(kCompletions, fields_of(kCompletions, most), 0) == kMaxTokensLimit * kMaxChoices);
  // The largest body and the largest ask still add up without wrapping.
  const auto huge = std::numeric_limits<std::size_t>::max();
  CHECK(token_estimate(kChat, fields_of(kChat, most), huge) ==
        static_cast<std::int64_t>(huge / 4) + kMaxTokensLimit * kMaxChoices);
}
