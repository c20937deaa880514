#include "gateway/breaker.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using namespace airlock::gateway;
using namespace std::chrono_literals;
using State = CircuitBreaker::State;

TEST_CASE("the breaker opens after N consecutive failures, probes once after the pause, and closes on success",
          "[gateway][breaker]") {
  core::FakeClock clock;
  CircuitBreaker b(clock, {3, 30s});
  b.record_failure();
  b.record_failure();
  b.record_success();  // not consecutive any more
  b.record_failure();
  b.record_failure();
  CHECK(b.state() == State::kClosed);
  CHECK(b.allow());
  b.record_failure();
  CHECK(b.state() == State::kOpen);
  CHECK_FALSE(b.allow());
  clock.advance(29999ms);
  CHECK_FALSE(b.allow());
  clock.advance(1ms);
  CHECK(b.state() == State::kHalfOpen);
  CHECK(b.allow());        // the one probe
  CHECK_FALSE(b.allow());  // everyone else waits for its outcome
  b.record_failure();      // the probe failed: open again, for a full pause
  CHECK(b.state() == State::kOpen);
  clock.advance(30s);
  CHECK(b.allow());
  b.record_success();
  CHECK(b.state() == State::kClosed);
  CHECK(b.allow());
  CHECK(b.allow());
}
