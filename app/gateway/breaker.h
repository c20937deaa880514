#pragma once
// A per-provider circuit breaker: after `failure_threshold` consecutive failures (transport errors
// and 5xx; a 429 is the vendor's rate limit, not ill health) it opens and requests skip the
// provider (to the next target) for `open_for`; then one probe request is let through (half-open):
// success closes it, failure opens it again. Uses the steady clock, injected. Thread-safe.
#include <chrono>
#include <mutex>

#include "core/clock.h"

namespace airlock::gateway {

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };
  struct Options {
    int failure_threshold = 5;
    std::chrono::milliseconds open_for{30'000};
  };
  CircuitBreaker(const core::Clock& clock, Options options) : clock_(clock), options_(options) {}

  // May a request go to this provider now? In half-open state only one caller gets true until its
  // outcome is recorded.
  bool allow();
  void record_success();
  void record_failure();

  State state() const;
  static const char* name(State s);

 private:
  const core::Clock& clock_;
  Options options_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;
  int failures_ = 0;
  bool probe_out_ = false;
  core::Clock::SteadyTime opened_at_{};
};

}  // namespace airlock::gateway
