#include "guard/rate_limit.h"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

using namespace airlock;
using namespace std::chrono_literals;
using guard::SlidingWindowLimiter;

namespace {

constexpr SlidingWindowLimiter::Options kLogin{.limit = 10, .window = 60s};
constexpr SlidingWindowLimiter::Options kSetup{.limit = 5, .window = 3600s};

// Distinct IPv4 addresses for i below 2^24.
std::string ip(int i) {
  return "10." + std::to_string(i >> 16 & 255) + "." + std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255);
}

}  // namespace

TEST_CASE("exactly `limit` hits are admitted in a window and the next is refused", "[rate_limit][V2.4.1][V6.3.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter(kLogin, clock);
  for (int i = 0; i < 10; ++i) {
    auto d = limiter.hit("203.0.113.7");
    REQUIRE(d.allowed);
    CHECK(d.remaining == 9 - i);
    CHECK(d.retry_after == 0s);
  }
  auto refused = limiter.hit("203.0.113.7");
  CHECK_FALSE(refused.allowed);
  CHECK(refused.remaining == 0);
  CHECK(refused.retry_after == 60s);
}

TEST_CASE("a client that waits retry_after is admitted and one that waits a second less is not",
          "[rate_limit][V2.4.1][V6.3.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter(kLogin, clock);
  clock.advance(400ms);
  for (int i = 0; i < 3; ++i) REQUIRE(limiter.hit("k").allowed);
  clock.advance(20s);
  for (int i = 0; i < 7; ++i) REQUIRE(limiter.hit("k").allowed);
  clock.advance(9600ms);

  // The oldest hit (at 0.4 s) leaves the window at 60.4 s; it is now 30 s.
  auto refused = limiter.hit("k");
  REQUIRE_FALSE(refused.allowed);
  CHECK(refused.retry_after == 31s);
  clock.advance(refused.retry_after - 1s);
  auto early = limiter.hit("k");
  CHECK_FALSE(early.allowed);
  CHECK(early.retry_after == 1s);
  clock.advance(1s);
  CHECK(limiter.hit("k").allowed);
}

TEST_CASE("retrying while refused does not push the admission time back", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter(kSetup, clock);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.hit("k").allowed);
  auto first = limiter.hit("k");
  REQUIRE_FALSE(first.allowed);
  CHECK(first.retry_after == 3600s);
  for (int i = 0; i < 100; ++i) {
    clock.advance(10s);
    CHECK_FALSE(limiter.hit("k").allowed);
  }
  clock.advance(first.retry_after - 1000s);
  auto d = limiter.hit("k");
  CHECK(d.allowed);
  // All five original hits left the window together, so only this one counts.
  CHECK(d.remaining == 4);
}

TEST_CASE("hits at the end of one window still count early in the next", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 5, .window = 60s}, clock);
  clock.advance(59s);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.hit("k").allowed);
  // A fixed window would have reset at 60 s; these five are still in the last minute.
  clock.advance(2s);
  auto d = limiter.hit("k");
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after == 58s);
  clock.advance(57s);
  CHECK_FALSE(limiter.hit("k").allowed);
  clock.advance(1s);
  CHECK(limiter.hit("k").allowed);
}

TEST_CASE("no span of one window ever holds more than `limit` admissions, and none fewer is refused",
          "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  const SlidingWindowLimiter::Options opts{.limit = 7, .window = 60s};
  SlidingWindowLimiter limiter(opts, clock);
  std::deque<core::Clock::SteadyTime> admitted;  // the exact model: admissions in the last window
  std::uint32_t lcg = 12345;
  for (int step = 0; step < 5000; ++step) {
    lcg = lcg * 1664525u + 1013904223u;
    clock.advance(std::chrono::milliseconds(lcg >> 18));  // 0 to ~16 s, often in bursts below 1 s
    const auto now = clock.steady_now();
    while (!admitted.empty() && admitted.front() <= now - opts.window) admitted.pop_front();
    auto d = limiter.hit("k");
    INFO("step " << step);
    if (admitted.size() < static_cast<std::size_t>(opts.limit)) {
      REQUIRE(d.allowed);
      admitted.push_back(now);
      REQUIRE(d.remaining == opts.limit - static_cast<int>(admitted.size()));
    } else {
      REQUIRE_FALSE(d.allowed);
      REQUIRE(d.retry_after >= 1s);
      REQUIRE(d.retry_after <= opts.window);
      REQUIRE(d.retry_after == std::chrono::ceil<std::chrono::seconds>(admitted.front() + opts.window - now));
    }
  }
}

TEST_CASE("keys are limited independently", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter(kLogin, clock);
  for (int i = 0; i < 10; ++i) REQUIRE(limiter.hit("198.51.100.1").allowed);
  CHECK_FALSE(limiter.hit("198.51.100.1").allowed);
  auto other = limiter.hit("198.51.100.2");
  CHECK(other.allowed);
  CHECK(other.remaining == 9);
  CHECK(limiter.tracked_keys() == 2);
}

TEST_CASE("a limit of one admits one hit per window and asks for the whole window", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 1, .window = 60s}, clock);
  auto first = limiter.hit("k");
  CHECK(first.allowed);
  CHECK(first.remaining == 0);
  auto second = limiter.hit("k");
  CHECK_FALSE(second.allowed);
  CHECK(second.retry_after == 60s);
  clock.advance(59s);
  CHECK_FALSE(limiter.hit("k").allowed);
  clock.advance(1s);
  CHECK(limiter.hit("k").allowed);
}

TEST_CASE("a one-second window never asks for less than a second", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 1, .window = 1s}, clock);
  REQUIRE(limiter.hit("k").allowed);
  clock.advance(999ms);
  auto d = limiter.hit("k");
  CHECK_FALSE(d.allowed);
  CHECK(d.retry_after == 1s);
  clock.advance(1ms);
  CHECK(limiter.hit("k").allowed);
}

TEST_CASE("a flood of distinct keys never holds more than max_keys", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 5, .window = 3600s, .max_keys = 1000}, clock);
  for (int i = 0; i < 50000; ++i) {
    REQUIRE(limiter.hit(ip(i)).allowed);
    if (i % 997 == 0) REQUIRE(limiter.tracked_keys() <= 1000);
  }
  CHECK(limiter.tracked_keys() == 1000);
}

TEST_CASE("max_keys below the shard count is still honoured", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 2, .window = 60s, .max_keys = 3}, clock);
  for (int i = 0; i < 100; ++i) REQUIRE(limiter.hit(ip(i)).allowed);
  CHECK(limiter.tracked_keys() == 3);
}

TEST_CASE("an active key outlives a flood while an idle one is evicted", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 200, .window = 3600s, .max_keys = 512}, clock);
  REQUIRE(limiter.hit("idle").allowed);
  int active_hits = 0;
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(limiter.hit(ip(i)).allowed);
    if (i % 50 == 0) {
      REQUIRE(limiter.hit("active").allowed);
      ++active_hits;
    }
  }
  CHECK(limiter.tracked_keys() <= 512);
  CHECK(limiter.hit("active").remaining == 200 - active_hits - 1);
  CHECK(limiter.hit("idle").remaining == 199);  // forgotten, so this is its first hit again
}

TEST_CASE("keys whose hits have all left the window are swept", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 3, .window = 60s, .max_keys = 1000}, clock);
  for (int i = 0; i < 5000; ++i) REQUIRE(limiter.hit(ip(i)).allowed);
  REQUIRE(limiter.tracked_keys() == 1000);
  clock.advance(60s);
  for (int i = 0; i < 500; ++i) REQUIRE(limiter.hit("new-" + ip(i)).allowed);
  // Only the new keys remain: every stale key went, and no live key had to be evicted for them.
  CHECK(limiter.tracked_keys() == 500);
}

TEST_CASE("eight threads hitting one key are admitted exactly `limit` times in a window",
          "[rate_limit][V2.4.1][V6.3.1]") {
  core::FakeClock clock;  // never advanced: every hit falls in the same window
  SlidingWindowLimiter limiter({.limit = 100, .window = 60s}, clock);
  std::atomic<int> admitted{0};
  std::atomic<int> bad_retry{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto d = limiter.hit("203.0.113.9");
        if (d.allowed) {
          ++admitted;
        } else if (d.retry_after != 60s) {
          ++bad_retry;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(admitted.load() == 100);
  CHECK(bad_retry.load() == 0);
}

TEST_CASE("threads flooding distinct keys never push the limiter past max_keys", "[rate_limit][V2.4.1]") {
  core::FakeClock clock;
  SlidingWindowLimiter limiter({.limit = 3, .window = 60s, .max_keys = 64}, clock);
  std::atomic<int> over_bound{0};
  std::atomic<int> refused_new_key{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        if (!limiter.hit(ip(t * 100000 + i)).allowed) ++refused_new_key;
        if (i % 64 == 0 && limiter.tracked_keys() > 64) ++over_bound;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(over_bound.load() == 0);
  CHECK(refused_new_key.load() == 0);
  CHECK(limiter.tracked_keys() == 64);
}
