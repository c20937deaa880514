#pragma once
// Two clocks, as Envoy separates them: system time for what users see and what is stored (expiry,
// TOTP, lockout records), steady time for intervals (timeouts, rate windows). Passed in from main;
// tests use FakeClock and move time by hand instead of sleeping.
#include <atomic>
#include <chrono>

namespace airlock::core {

class Clock {
 public:
  using SystemTime = std::chrono::system_clock::time_point;
  using SteadyTime = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual SystemTime system_now() const = 0;
  virtual SteadyTime steady_now() const = 0;
};

class RealClock final : public Clock {
 public:
  SystemTime system_now() const override { return std::chrono::system_clock::now(); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }
};

// The clock a process runs on: a RealClock, unless a test build installed another before main
// (tests/support/fault_hooks.cpp, linked only into `airlock_faults`, lets an integration test move
// the server's system time forward without sleeping). The shipped binary never installs one.
const Clock& process_clock();
void set_process_clock(const Clock* clock);

// Starts at a fixed instant; advance() moves both clocks together. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SystemTime start = SystemTime(std::chrono::seconds(1'700'000'000)))
      : system_(start.time_since_epoch().count()) {}
  SystemTime system_now() const override { return SystemTime(SystemTime::duration(system_.load())); }
  SteadyTime steady_now() const override { return SteadyTime(SteadyTime::duration(steady_.load())); }
  template <class Rep, class Period>
  void advance(std::chrono::duration<Rep, Period> d) {
    system_ += std::chrono::duration_cast<SystemTime::duration>(d).count();
    steady_ += std::chrono::duration_cast<SteadyTime::duration>(d).count();
  }

 private:
  std::atomic<SystemTime::duration::rep> system_;
  std::atomic<SteadyTime::duration::rep> steady_{0};
};

}  // namespace airlock::core
