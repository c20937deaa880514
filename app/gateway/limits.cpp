#include "gateway/limits.h"

#include <cstdio>
#include <ctime>

#include "core/checked.h"

namespace airlock::gateway {
void MinuteWindow::add(std::int64_t now_s, std::int64_t n) {
  auto slot = static_cast<std::size_t>(now_s % 60);
  if (second_[slot] != now_s) {
    second_[slot] = now_s;
    count_[slot] = 0;
  }
  count_[slot] = core::sat_add(count_[slot], n);
}

void MinuteWindow::adjust(std::int64_t at_s, std::int64_t now_s, std::int64_t delta) {
  auto slot = static_cast<std::size_t>(at_s % 60);
  if (second_[slot] == at_s && now_s - at_s < 60) count_[slot] = std::max<std::int64_t>(0, core::sat_add(count_[slot], delta));
}

std::int64_t MinuteWindow::sum(std::int64_t now_s) const {
  std::int64_t total = 0;
  for (std::size_t i = 0; i < 60; ++i)
    if (now_s - second_[i] < 60 && count_[i] > 0) total = core::sat_add(total, count_[i]);
  return total;
}

std::int64_t MinuteWindow::seconds_until_freed(std::int64_t now_s, std::int64_t need) const {
  std::int64_t freed = 0;
  for (std::int64_t s = now_s - 59; s <= now_s; ++s) {
    auto slot = static_cast<std::size_t>(((s % 60) + 60) % 60);
    if (second_[slot] == s) freed = core::sat_add(freed, count_[slot]);
    if (freed >= need) return s + 60 - now_s;
  }
  return 60;
}

KeyLimits::KeyLimits(const core::Clock& clock, MonthLoader load_month) : clock_(clock), load_month_(std::move(load_month)) {}

std::string KeyLimits::month_of(core::Clock::SystemTime t, std::int64_t* start_ms) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  if (start_ms) {
    std::tm first{};
    first.tm_year = tm.tm_year;
    first.tm_mon = tm.tm_mon;
    first.tm_mday = 1;
    *start_ms = static_cast<std::int64_t>(timegm(&first)) * 1000;
  }
  return buf;
}

KeyLimits::Entry& KeyLimits::entry(std::int64_t key_id, const std::string& month, std::int64_t month_start_ms,
                                   bool* loaded) {
  auto& e = entries_[key_id];
  *loaded = true;
  if (e.month != month) {
    // A new month (or the first use): budgets start from what the store has, reservations carry on.
    auto used = load_month_ ? load_month_(key_id, month_start_ms) : std::optional<MonthUsage>(MonthUsage{});
    if (used) {
      e.month = month;
      e.used = *used;
    } else {
      *loaded = false;  // not remembered: the next request asks the store again
    }
  }
  return e;
}

std::int64_t KeyLimits::now_s() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.steady_now().time_since_epoch()).count();
}

Admission KeyLimits::admit(const store::GatewayKeyRow& key, std::int64_t estimate, Reservation* out) {
  Admission a;
  estimate = std::max<std::int64_t>(0, estimate);
  auto now = now_s();
  std::int64_t month_start = 0;
  auto month = month_of(clock_.system_now(), &month_start);
  std::lock_guard<std::mutex> lock(mu_);
  bool loaded = true;
  auto& e = entry(key.id.value, month, month_start, &loaded);
  const auto& l = key.limits;
  if (!loaded && (l.monthly_requests || l.monthly_tokens)) {
    a.ok = false;
    a.code = "unavailable";
    a.message = "This key's budget could not be read; try again.";
    a.retry_after_s = 1;
    return a;
  }
  if (l.rpm) {
    auto used = e.requests.sum(now);
    a.limit_requests = *l.rpm;
    a.remaining_requests = std::max<std::int64_t>(0, *l.rpm - used);
    a.reset_requests_s = used > 0 ? e.requests.seconds_until_freed(now, 1) : 0;
    if (used >= *l.rpm) {
      a.ok = false;
      a.code = "rate_limit_exceeded";
      a.message = "Rate limit reached for this key: " + std::to_string(*l.rpm) + " requests per minute.";
      a.retry_after_s = e.requests.seconds_until_freed(now, used - *l.rpm + 1);
      return a;
    }
  }
  if (l.tpm) {
    auto used = e.tokens.sum(now);
    a.limit_tokens = *l.tpm;
    a.remaining_tokens = std::max<std::int64_t>(0, *l.tpm - used);
    a.reset_tokens_s = used > 0 ? e.tokens.seconds_until_freed(now, 1) : 0;
    // One request bigger than the whole limit could never pass: let it through alone.
    if (used > 0 && core::sat_add(used, estimate) > *l.tpm) {
      a.ok = false;
      a.code = "rate_limit_exceeded";
      a.message = "Rate limit reached for this key: " + std::to_string(*l.tpm) + " tokens per minute.";
      a.retry_after_s = e.tokens.seconds_until_freed(now, core::sat_add(used, estimate) - *l.tpm);
      return a;
    }
  }
  if (l.monthly_requests && e.used.requests + e.reserved_requests >= *l.monthly_requests) {
    a.ok = false;
    a.code = "insufficient_quota";
    a.message = "This key has used its monthly request budget.";
    return a;
  }
  // A request that could spend more than the budget has left is refused up front, alone or not:
  // its estimate is the most it may cost, and the budget is a promise.
  if (l.monthly_tokens && core::sat_add(core::sat_add(e.used.tokens, e.reserved_tokens), estimate) > *l.monthly_tokens) {
    a.ok = false;
    a.code = "insufficient_quota";
    bool spent = core::sat_add(e.used.tokens, e.reserved_tokens) >= *l.monthly_tokens;
    a.message = spent ? "This key has used its monthly token budget."
                      : "This request could use more tokens than this key's monthly budget has left; lower max_tokens.";
    return a;
  }
  if (l.rpm) e.requests.add(now, 1);
  if (l.tpm) e.tokens.add(now, estimate);
  e.reserved_tokens = core::sat_add(e.reserved_tokens, estimate);
  e.reserved_requests += 1;
  if (a.remaining_requests > 0) a.remaining_requests -= 1;
  if (a.remaining_tokens >= 0) a.remaining_tokens = std::max<std::int64_t>(0, a.remaining_tokens - estimate);
  *out = {key.id.value, estimate, month, l.tpm ? now : -1, true};
  return a;
}

void KeyLimits::settle(Reservation& r, std::int64_t actual, bool refund_request) {
  if (!r.active) return;
  r.active = false;
  actual = std::max<std::int64_t>(0, actual);  // a failed or odd request never gives tokens back
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(r.key_id);
  if (it == entries_.end()) return;
  auto& e = it->second;
  if (r.second >= 0) e.tokens.adjust(r.second, now_s(), actual - r.estimate);
  // Reservations carry over a month change, so they are released whatever month this is now; the
  // real usage counts in the month it finished in.
  e.reserved_tokens -= r.estimate;
  e.reserved_requests -= 1;
  e.used.tokens = core::sat_add(e.used.tokens, actual);
  if (!refund_request) e.used.requests += 1;
}

}  // namespace airlock::gateway
