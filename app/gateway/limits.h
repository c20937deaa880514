#pragma once
// Per-key limits, checked before a request goes upstream and settled when its real usage is known:
//   rpm  requests in the last 60 s, counted in 60 one-second slots (constant memory and time
//        per key, whatever the rate);
//   tpm  tokens in the last 60 s, the same way: each request reserves an estimate (prompt bytes /
//        4 + max_tokens or a default), replaced by the real count when it is known;
//   monthly request and token budgets, per calendar month in UTC, seeded once per key and month
//        from the usage table and then kept in memory.
// A reservation is taken under the key's lock, so 50 parallel requests against a tiny budget
// overspend by at most what one request's real usage exceeds its estimate: the check counts every
// reservation still in flight.
//
// Thread-safe. Memory: one small entry per key that has been used.
#include <chrono>
#include <cstdint>
#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "store/gateway_keys_repo.h"

namespace airlock::gateway {

struct MonthUsage {
  std::int64_t requests = 0;
  std::int64_t tokens = 0;
};

struct Admission {
  bool ok = true;
  std::string code;              // rate_limit_exceeded | insufficient_quota | unavailable
  std::string message;
  std::int64_t retry_after_s = 0;
  // For x-ratelimit-* headers; -1 when the key has no such limit.
  std::int64_t limit_requests = -1, remaining_requests = -1, limit_tokens = -1, remaining_tokens = -1;
  std::int64_t reset_requests_s = 0, reset_tokens_s = 0;
};

struct Reservation {
  std::int64_t key_id = 0;
  std::int64_t estimate = 0;
  std::string month;
  std::int64_t second = -1;  // the tpm slot the estimate went into; -1 when not counted
  bool active = false;
};

// Counts over the last 60 s in one-second slots.
class MinuteWindow {
 public:
  void add(std::int64_t now_s, std::int64_t n);
  // Changes what was added at `at_s`, if that slot is still in the window.
  void adjust(std::int64_t at_s, std::int64_t now_s, std::int64_t delta);
  std::int64_t sum(std::int64_t now_s) const;
  // Seconds from now until the sum has dropped by at least `need` (1..60).
  std::int64_t seconds_until_freed(std::int64_t now_s, std::int64_t need) const;

 private:
  std::array<std::int64_t, 60> count_{};
  std::array<std::int64_t, 60> second_{};  // which absolute second each slot holds
};

class KeyLimits {
 public:
  // `load_month(key_id, month_start_unix_ms)`: what the key used this month before this process;
  // nullopt when the store could not say. A key with a monthly budget is then refused (503
  // "unavailable", asked again on the next request): a budget never starts from zero by accident.
  using MonthLoader = std::function<std::optional<MonthUsage>(std::int64_t key_id, std::int64_t month_start_ms)>;
  KeyLimits(const core::Clock& clock, MonthLoader load_month);

  // Admits one request with `estimate` tokens, reserving them; `*out` gets the reservation to settle.
  Admission admit(const store::GatewayKeyRow& key, std::int64_t estimate, Reservation* out);
  // Replaces the estimate with `actual` tokens. `refund_request`: the request never reached an
  // upstream, so it does not count against the monthly request budget either.
  void settle(Reservation& r, std::int64_t actual, bool refund_request = false);

  // "2026-12" for the current UTC month, and that month's start in unix ms.
  static std::string month_of(core::Clock::SystemTime t, std::int64_t* start_ms = nullptr);

 private:
  struct Entry {
    MinuteWindow requests;
    MinuteWindow tokens;
    std::string month;
    MonthUsage used;
    std::int64_t reserved_tokens = 0;
    std::int64_t reserved_requests = 0;
  };
  // The key's entry; `*loaded` false when this month's usage could not be read from the store.
  Entry& entry(std::int64_t key_id, const std::string& month, std::int64_t month_start_ms, bool* loaded);
  std::int64_t now_s() const;

  const core::Clock& clock_;
  MonthLoader load_month_;
  std::mutex mu_;
  std::map<std::int64_t, Entry> entries_;
};

}  // namespace airlock::gateway
