// The WAF's counting and blocking with an injected clock (ASVS V2.4.1: anti-automation).
#include "gateway/waf.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using airlock::gateway::Waf;

TEST_CASE("10 violations within a minute block the key and the address; the 11th request waits", "[waf][V2.4.1]") {
  core::FakeClock clock;
  Waf waf(clock);
  guardrails::WafSettings s;  // 10 per minute, 600 s
  for (int i = 0; i < 9; ++i) {
    CHECK(waf.violation(7, "203.0.113.9", s).empty());
    clock.advance(std::chrono::seconds(5));
  }
  CHECK(waf.retry_after(Waf::key_subject(7)) == 0);
  auto started = waf.violation(7, "203.0.113.9", s);  // the 10th, 45 s after the first
  REQUIRE(started.size() == 2);
  CHECK(started[0].subject == "key:7");
  CHECK(started[1].subject == "ip:203.0.113.9");
  CHECK(started[0].violations == 10);
  CHECK(waf.retry_after("key:7") == 600);
  CHECK(waf.retry_after(Waf::ip_subject("203.0.113.9")) == 600);
  // Violations while blocked start nothing new (audited once per block).
  CHECK(waf.violation(7, "203.0.113.9", s).empty());
  CHECK(waf.blocks().size() == 2);
  // Boundary: one second before the end still blocked (rounded up), at the end free.
  clock.advance(std::chrono::seconds(599));
  CHECK(waf.retry_after("key:7") == 1);
  clock.advance(std::chrono::seconds(1));
  CHECK(waf.retry_after("key:7") == 0);
  CHECK(waf.blocks().empty());
}

TEST_CASE("violations spread over more than a minute never block", "[waf]") {
  core::FakeClock clock;
  Waf waf(clock);
  guardrails::WafSettings s;
  for (int i = 0; i < 100; ++i) {
    CHECK(waf.violation(1, "198.51.100.1", s).empty());
    clock.advance(std::chrono::milliseconds(6700));  // 9 in any 60 s
  }
  CHECK(waf.retry_after("key:1") == 0);
}

TEST_CASE("a key and an address are counted apart; IPv6 by its /64", "[waf]") {
  core::FakeClock clock;
  Waf waf(clock);
  guardrails::WafSettings s{3, 60};
  // One address rotating keys is still one address.
  CHECK(waf.violation(1, "2001:db8:1:2::10", s).empty());
  CHECK(waf.violation(2, "2001:db8:1:2::11", s).empty());
  auto b = waf.violation(3, "2001:db8:1:2:ffff::1", s);
  REQUIRE(b.size() == 1);
  CHECK(b[0].subject == "ip:2001:db8:1:2::/64");
  CHECK(waf.retry_after("key:1") == 0);
  // One key from many addresses is still one key.
  CHECK(waf.violation(9, "192.0.2.1", s).empty());
  CHECK(waf.violation(9, "192.0.2.2", s).empty());
  auto k = waf.violation(9, "192.0.2.3", s);
  REQUIRE(k.size() == 1);
  CHECK(k[0].subject == "key:9");
}

TEST_CASE("an admin lifts a block; off means off", "[waf]") {
  core::FakeClock clock;
  Waf waf(clock);
  guardrails::WafSettings s{2, 300};
  waf.violation(5, "", s);
  REQUIRE(waf.violation(5, "", s).size() == 1);
  CHECK(waf.lift("key:5"));
  CHECK_FALSE(waf.lift("key:5"));
  CHECK(waf.retry_after("key:5") == 0);
  CHECK_FALSE(waf.lift("ip:192.0.2.1"));
  // The count starts again after a lift.
  CHECK(waf.violation(5, "", s).empty());
  guardrails::WafSettings off{0, 300};
  for (int i = 0; i < 50; ++i) CHECK(waf.violation(6, "192.0.2.9", off).empty());
}

TEST_CASE("the tracked set is bounded", "[waf]") {
  core::FakeClock clock;
  Waf waf(clock);
  guardrails::WafSettings s{2, 300};
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(Waf::kMaxTracked) + 10; ++k) waf.violation(k, "", s);
  // The oldest were forgotten: their next violation starts a fresh count.
  CHECK(waf.violation(0, "", s).empty());
  // A recent one is remembered: its second violation blocks.
  CHECK(waf.violation(static_cast<std::int64_t>(Waf::kMaxTracked) + 9, "", s).size() == 1);
}

TEST_CASE("burst detection: a key far above its own baseline is flagged once, blocked only if asked", "[waf][V2.4.1]") {
  core::FakeClock clock;
  Waf waf(clock);
  guardrails::WafSettings s;  // factor 10, no block
  auto minute_of = [&](int n) {
    std::optional<Waf::Burst> seen;
    for (int i = 0; i < n; ++i)
      if (auto b = waf.request(1, s, nullptr)) seen = b;
    clock.advance(std::chrono::minutes(1));
    return seen;
  };
  // Ten quiet minutes of 20 requests: baseline ~20.
  for (int m = 0; m < 10; ++m) CHECK_FALSE(minute_of(20));
  // 150 a minute is 7.5 x: not a burst. 250 is: flagged once, not again within 10 minutes.
  CHECK_FALSE(minute_of(150));
  auto b = minute_of(600);
  REQUIRE(b);
  CHECK(b->this_minute > 10 * std::max(b->baseline, 10.0));
  CHECK(waf.bursts() == 1);
  CHECK_FALSE(minute_of(600));
  CHECK(waf.retry_after("key:1") == 0);  // flagged, not blocked

  // Below the 60-a-minute floor nothing is a burst, whatever the ratio.
  for (int m = 0; m < 10; ++m) CHECK_FALSE(waf.request(2, s, nullptr));
  // A new key has no history: its first minutes are never judged.
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(waf.request(3, s, nullptr));

  guardrails::WafSettings blocking = s;
  blocking.burst_block = true;
  Waf w2(clock);
  for (int m = 0; m < 6; ++m) {
    for (int i = 0; i < 5; ++i) w2.request(4, blocking, nullptr);
    clock.advance(std::chrono::minutes(1));
  }
  std::optional<Waf::Block> blocked;
  std::optional<Waf::Burst> hit;
  for (int i = 0; i < 200 && !hit; ++i) hit = w2.request(4, blocking, &blocked);
  REQUIRE(hit);
  REQUIRE(blocked);
  CHECK(w2.retry_after("key:4") == 600);
  guardrails::WafSettings off = s;
  off.burst_factor = 0;
  Waf w3(clock);
  for (int i = 0; i < 5000; ++i) CHECK_FALSE(w3.request(5, off, nullptr));
}
