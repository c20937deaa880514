#include "gateway/limits.h"

#include <catch2/catch_test_macros.hpp>
#include <limits>
#include <thread>
#include <vector>

using namespace airlock;
using namespace airlock::gateway;
using namespace std::chrono_literals;

namespace {

store::GatewayKeyRow key_with(store::GatewayKeyLimits l, std::int64_t id = 1) {
  store::GatewayKeyRow k;
  k.id = core::KeyId(id);
  k.limits = l;
  return k;
}

}  // namespace

TEST_CASE("rpm is a sliding 60 s window with Retry-After to the oldest request's expiry", "[gateway][limits]") {
  core::FakeClock clock;
  KeyLimits limits(clock, nullptr);
  auto key = key_with({.rpm = 3});
  Reservation r;
  for (int i = 0; i < 3; ++i) {
    auto a = limits.admit(key, 10, &r);
    REQUIRE(a.ok);
    CHECK(a.limit_requests == 3);
    CHECK(a.remaining_requests == 2 - i);
    limits.settle(r, 10);
    clock.advance(10s);
  }
  // Requests at t=0,10,20; now t=30: the 4th is refused until t=60.
  auto refused = limits.admit(key, 10, &r);
  CHECK_FALSE(refused.ok);
  CHECK(refused.code == "rate_limit_exceeded");
  CHECK(refused.retry_after_s == 30);  // the request at t=0 leaves the window at t=60
  clock.advance(29s);
  CHECK_FALSE(limits.admit(key, 10, &r).ok);
  clock.advance(1s);  // t=60: the first request has left the window
  CHECK(limits.admit(key, 10, &r).ok);
  // Another key is not affected.
  CHECK(limits.admit(key_with({.rpm = 3}, 2), 10, &r).ok);
}

TEST_CASE("tpm counts estimates until settled, then real usage", "[gateway][limits]") {
  core::FakeClock clock;
  KeyLimits limits(clock, nullptr);
  auto key = key_with({.tpm = 1000});
  Reservation a, b;
  REQUIRE(limits.admit(key, 600, &a).ok);
  CHECK_FALSE(limits.admit(key, 600, &b).ok);  // 600 reserved + 600 > 1000
  limits.settle(a, 100);                       // it only used 100
  REQUIRE(limits.admit(key, 600, &b).ok);
  auto full = limits.admit(key, 400, &a);
  CHECK_FALSE(full.ok);
  CHECK(full.remaining_tokens == 300);
  clock.advance(60s);
  CHECK(limits.admit(key, 900, &a).ok);
  // A single request larger than the limit still goes alone on an empty window.
  clock.advance(61s);
  CHECK(limits.admit(key, 5000, &a).ok);
}

TEST_CASE("monthly budgets start from the store, refuse with insufficient_quota and reset with the UTC month",
          "[gateway][limits]") {
  // 2026-12-31 23:59:00 UTC
  core::FakeClock clock(core::Clock::SystemTime(std::chrono::seconds(1798761540)));
  int loads = 0;
  KeyLimits limits(clock, [&](std::int64_t, std::int64_t start_ms) {
    ++loads;
    return start_ms == 1796083200000LL ? MonthUsage{4, 900} : MonthUsage{};  // December had 4 requests, 900 tokens
  });
  CHECK(KeyLimits::month_of(clock.system_now()) == "2026-12");
  auto key = key_with({.monthly_requests = 5, .monthly_tokens = 1000});
  Reservation r;
  auto a = limits.admit(key, 50, &r);
  REQUIRE(a.ok);
  limits.settle(r, 50);
  auto over = limits.admit(key, 10, &r);
  CHECK_FALSE(over.ok);
  CHECK(over.code == "insufficient_quota");
  clock.advance(60s);  // 2027-01-01 00:00 UTC
  CHECK(KeyLimits::month_of(clock.system_now()) == "2027-01");
  CHECK(limits.admit(key, 50, &r).ok);
  CHECK(loads == 2);
}

TEST_CASE("50 parallel requests against a tiny token budget overspend by at most one request's excess",
          "[gateway][limits][V2.4.1]") {
  core::FakeClock clock;
  KeyLimits limits(clock, nullptr);
  auto key = key_with({.monthly_tokens = 1000});
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&] {
      Reservation r;
      if (!limits.admit(key, 100, &r).ok) return;
      ++admitted;
      limits.settle(r, 100);
    });
  for (auto& t : threads) t.join();
  CHECK(admitted == 10);  // exactly 1000 tokens: every check saw the others' reservations
  Reservation r;
  CHECK_FALSE(limits.admit(key, 1, &r).ok);
}

TEST_CASE("a request that never reached an upstream is refunded from the request budget", "[gateway][limits]") {
  core::FakeClock clock;
  KeyLimits limits(clock, nullptr);
  auto key = key_with({.monthly_requests = 1});
  Reservation r;
  REQUIRE(limits.admit(key, 10, &r).ok);
  limits.settle(r, 0, /*refund_request=*/true);
  REQUIRE(limits.admit(key, 10, &r).ok);
  limits.settle(r, 5);
  CHECK_FALSE(limits.admit(key, 10, &r).ok);
}

TEST_CASE("estimates, settlements and counters cannot wrap a budget around", "[gateway][limits][V1.4.2]") {
  core::FakeClock clock;
  KeyLimits limits(clock, nullptr);
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  auto key = key_with({.tpm = 1000, .monthly_tokens = 1000});
  Reservation r;
  // An estimate beyond what the budget has left is refused up front, even on an unused key.
  auto huge = limits.admit(key, kMax, &r);
  CHECK_FALSE(huge.ok);
  CHECK(huge.code == "insufficient_quota");
  CHECK_FALSE(limits.admit(key, 1001, &r).ok);
  // A negative estimate or settlement never gives tokens back.
  REQUIRE(limits.admit(key, -500, &r).ok);
  limits.settle(r, -kMax);
  REQUIRE(limits.admit(key, 600, &r).ok);
  limits.settle(r, 600);
  Reservation s;
  CHECK_FALSE(limits.admit(key, 401, &s).ok);
  REQUIRE(limits.admit(key, 400, &s).ok);
  limits.settle(s, kMax);  // usage reported as huge saturates instead of wrapping negative
  CHECK_FALSE(limits.admit(key, 1, &s).ok);

  // The minute window sums saturate too.
  MinuteWindow w;
  w.add(100, kMax);
  w.add(101, kMax);
  CHECK(w.sum(101) == kMax);
  w.adjust(100, 101, -kMax);
  CHECK(w.sum(101) == kMax);
}

TEST_CASE("a monthly budget the store cannot read refuses (fails closed) and is asked again", "[gateway][limits][V16.5.3]") {
  core::FakeClock clock;
  bool store_up = false;
  int loads = 0;
  KeyLimits limits(clock, [&](std::int64_t, std::int64_t) -> std::optional<MonthUsage> {
    ++loads;
    if (!store_up) return std::nullopt;
    return MonthUsage{0, 990};
  });
  Reservation r;
  auto refused = limits.admit(key_with({.monthly_tokens = 1000}), 5, &r);
  CHECK_FALSE(refused.ok);
  CHECK(refused.code == "unavailable");
  CHECK(refused.retry_after_s == 1);
  // A key without a monthly budget does not need the number.
  CHECK(limits.admit(key_with({.rpm = 10}, 2), 5, &r).ok);
  // Once the store answers, the budget starts from what it says, not from zero.
  store_up = true;
  auto& before = loads;
  CHECK(limits.admit(key_with({.monthly_tokens = 1000}), 5, &r).ok);
  CHECK_FALSE(limits.admit(key_with({.monthly_tokens = 1000}), 10, &r).ok);  // 990 + 5 + 10 > 1000
  CHECK(before >= 2);
}
