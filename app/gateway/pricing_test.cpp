// Spend in money: cache tokens at their own prices, versions by effective date, rounding and bounds.
#include "gateway/pricing.h"

#include <catch2/catch_test_macros.hpp>
#include <limits>

using namespace airlock::gateway;
using nlohmann::json;

namespace {

// Claude Sonnet-like list prices, USD per 1M tokens: input 3, cache read 0.30, cache write 3.75 (5 min)
// and 6 (1 h), output 15.
ModelPrice sonnet(std::int64_t from = 0) {
  return {from, 3'000'000, 300'000, 3'750'000, 6'000'000, 15'000'000, std::nullopt};
}

}  // namespace

TEST_CASE("cache reads and writes are priced apart from fresh input", "[gateway][pricing]") {
  // 1,000 fresh, 10,000 read from the cache, 2,000 written for 5 min, 1,000 for 1 h, 500 out.
  TokenCounts t{1000, 10000, 2000, 1000, 500, 0};
  // 1000×3 + 10000×0.30 + 2000×3.75 + 1000×6 + 500×15 = 3000 + 3000 + 7500 + 6000 + 7500 µ$ (per token ×1e-6 $)
  CHECK(cost_micro_usd(t, sonnet()) == 27'000);
  // The same tokens all at the input price would be 14,000 × 3 + 500 × 15 = 49,500: caching matters.
  TokenCounts uncached{14000, 0, 0, 0, 500, 0};
  CHECK(cost_micro_usd(uncached, sonnet()) == 49'500);
}

TEST_CASE("reasoning tokens are output unless they have their own price; costs round up, never down",
          "[gateway][pricing]") {
  ModelPrice o{0, 1'250'000, 125'000, 0, 0, 10'000'000, std::nullopt};
  TokenCounts t{100, 0, 0, 0, 300, 200};
  CHECK(cost_micro_usd(t, o) == 125 + 3000);  // 100 × 1.25 + 300 × 10
  o.reasoning = 20'000'000;
  CHECK(cost_micro_usd(t, o) == 125 + 100 * 10 + 200 * 20);
  // One token at USD 0.10 / 1M is 0.1 µ$: it costs 1 µ$, not 0.
  CHECK(cost_micro_usd({1, 0, 0, 0, 0, 0}, ModelPrice{0, 100'000}) == 1);
  CHECK(cost_micro_usd({}, sonnet()) == 0);
  // Reasoning above output (a confused upstream) is held to output; negative counts are 0.
  CHECK(cost_micro_usd({0, 0, 0, 0, 10, 99}, o) == 10 * 20);
  CHECK(cost_micro_usd({-5, -5, -5, -5, -5, -5}, sonnet()) == 0);
}

TEST_CASE("hostile counts and prices saturate instead of wrapping", "[gateway][pricing]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  TokenCounts huge{kMax, kMax, kMax, kMax, kMax, kMax};
  ModelPrice dear{0, kMaxPricePerMillion, kMaxPricePerMillion, kMaxPricePerMillion, kMaxPricePerMillion, kMaxPricePerMillion,
                  kMaxPricePerMillion};
  CHECK(cost_micro_usd(huge, dear) == kMax);
  ModelPrice absurd{0, kMax, kMax, kMax, kMax, kMax, kMax};  // held to the largest price allowed
  CHECK(cost_micro_usd({1'000'000, 0, 0, 0, 0, 0}, absurd) == kMaxPricePerMillion);
  // Counts as the gateway reads them (at most 2^31 each) at the largest price still fit.
  TokenCounts big{1LL << 31, 0, 0, 0, 0, 0};
  CHECK(cost_micro_usd(big, ModelPrice{0, kMaxPricePerMillion}) == (1LL << 31) * 1'000'000);
}

TEST_CASE("a price change applies from its moment on: earlier records keep their cost", "[gateway][pricing]") {
  PriceBook book;
  REQUIRE(book.add("claude", sonnet(1'000)));
  auto cheaper = sonnet(2'000);
  cheaper.input = 1'000'000;
  REQUIRE(book.add("claude", cheaper));
  CHECK_FALSE(book.add("claude", sonnet(2'000)));  // one version per moment
  TokenCounts t{1000, 0, 0, 0, 0, 0};
  CHECK_FALSE(book.at("claude", 999));             // before any price: no cost, not a guess
  CHECK(cost_micro_usd(t, *book.at("claude", 1'000)) == 3'000);
  CHECK(cost_micro_usd(t, *book.at("claude", 1'999)) == 3'000);  // a record from before the change
  CHECK(cost_micro_usd(t, *book.at("claude", 2'000)) == 1'000);
  CHECK(cost_micro_usd(t, *book.at("claude", 9'999'999)) == 1'000);
  // Added out of order, found in order.
  REQUIRE(book.add("claude", sonnet(500)));
  CHECK(book.at("claude", 700)->effective_from == 500);
  CHECK_FALSE(book.at("gpt", 5'000));
}

TEST_CASE("prices are read as decimal USD per 1M tokens, exactly", "[gateway][pricing]") {
  CHECK(usd_per_million(json(2.5)) == 2'500'000);
  CHECK(usd_per_million(json(0.075)) == 75'000);
  CHECK(usd_per_million(json(3)) == 3'000'000);
  CHECK(usd_per_million(json("0.30")) == 300'000);
  CHECK(usd_per_million(json("0.000001")) == 1);
  CHECK(usd_per_million(json(0)) == 0);
  CHECK(usd_per_million(json(1000000)) == kMaxPricePerMillion);
  for (const auto& bad : {json(-1), json(-0.5), json("1.0000001"), json(0.0000001), json("1e3"), json("1."), json(".5"),
                          json("abc"), json(1000000.5), json(nullptr), json(true), json::array(), json("-2")})
    CHECK_FALSE(usd_per_million(bad));
}
