#include "gateway/breaker.h"

namespace airlock::gateway {

bool CircuitBreaker::allow() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kOpen && clock_.steady_now() - opened_at_ >= options_.open_for) {
    state_ = State::kHalfOpen;
    probe_out_ = false;
  }
  if (state_ == State::kClosed) return true;
  if (state_ == State::kHalfOpen && !probe_out_) {
    probe_out_ = true;
    return true;
  }
  return false;
}

void CircuitBreaker::record_success() {
  std::lock_guard<std::mutex> lock(mu_);
  state_ = State::kClosed;
  failures_ = 0;
  probe_out_ = false;
}

void CircuitBreaker::record_failure() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kHalfOpen || ++failures_ >= options_.failure_threshold) {
    state_ = State::kOpen;
    opened_at_ = clock_.steady_now();
    probe_out_ = false;
    failures_ = 0;
  }
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kOpen && clock_.steady_now() - opened_at_ >= options_.open_for) return State::kHalfOpen;
  return state_;
}

const char* CircuitBreaker::name(State s) {
  switch (s) {
    case State::kClosed: return "closed";
    case State::kOpen: return "open";
    case State::kHalfOpen: return "half_open";
  }
  return "unknown";
}

}  // namespace airlock::gateway
