#include "gateway/limits.h"

#include <ctime>

namespace airlock::gateway {
namespace {

constexpr auto kWindow = std::chrono::seconds(60);

std::int64_t seconds_until(core::Clock::SteadyTime t, core::Clock::SteadyTime now) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(t - now).count();
  return std::max<std::int64_t>(1, s + 1);
}

}  // namespace

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

KeyLimits::Entry& KeyLimits::entry(std::int64_t key_id, const std::string& month, std::int64_t month_start_ms) {
  auto& e = entries_[key_id];
  if (e.month != month) {
    // A new month (or the first use): budgets start from what the store has, reservations carry on.
    e.month = month;
    e.used = load_month_ ? load_month_(key_id, month_start_ms) : MonthUsage{};
  }
  return e;
}

void KeyLimits::expire(Entry& e, core::Clock::SteadyTime now) {
  while (!e.requests.empty() && now - e.requests.front() >= kWindow) e.requests.pop_front();
  while (!e.tokens.empty() && now - e.tokens.front().at >= kWindow) e.tokens.pop_front();
}

Admission KeyLimits::admit(const store::GatewayKeyRow& key, std::int64_t estimate, Reservation* out) {
  Admission a;
  auto now = clock_.steady_now();
  std::int64_t month_start = 0;
  auto month = month_of(clock_.system_now(), &month_start);
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = entry(key.id.value, month, month_start);
  expire(e, now);
  const auto& l = key.limits;
  std::int64_t window_tokens = 0;
  for (const auto& t : e.tokens) window_tokens += t.tokens;
  if (l.rpm) {
    a.limit_requests = *l.rpm;
    a.remaining_requests = std::max<std::int64_t>(0, *l.rpm - static_cast<std::int64_t>(e.requests.size()));
    a.reset_requests_s = e.requests.empty() ? 0 : seconds_until(e.requests.front() + kWindow, now);
    if (static_cast<std::int64_t>(e.requests.size()) >= *l.rpm) {
      a.ok = false;
      a.code = "rate_limit_exceeded";
      a.message = "Rate limit reached for this key: " + std::to_string(*l.rpm) + " requests per minute.";
      a.retry_after_s = a.reset_requests_s;
      return a;
    }
  }
  if (l.tpm) {
    a.limit_tokens = *l.tpm;
    a.remaining_tokens = std::max<std::int64_t>(0, *l.tpm - window_tokens);
    a.reset_tokens_s = e.tokens.empty() ? 0 : seconds_until(e.tokens.front().at + kWindow, now);
    // One request bigger than the whole limit could never pass: let it through alone.
    if (window_tokens > 0 && window_tokens + estimate > *l.tpm) {
      a.ok = false;
      a.code = "rate_limit_exceeded";
      a.message = "Rate limit reached for this key: " + std::to_string(*l.tpm) + " tokens per minute.";
      a.retry_after_s = a.reset_tokens_s;
      return a;
    }
  }
  if (l.monthly_requests && e.used.requests + e.reserved_requests >= *l.monthly_requests) {
    a.ok = false;
    a.code = "insufficient_quota";
    a.message = "This key has used its monthly request budget.";
    return a;
  }
  if (l.monthly_tokens && e.used.tokens + e.reserved_tokens + estimate > *l.monthly_tokens &&
      (e.used.tokens + e.reserved_tokens > 0 || estimate > *l.monthly_tokens)) {
    a.ok = false;
    a.code = "insufficient_quota";
    a.message = "This key has used its monthly token budget.";
    return a;
  }
  e.requests.push_back(now);
  auto id = e.next_id++;
  e.tokens.push_back({id, now, estimate});
  e.reserved_tokens += estimate;
  e.reserved_requests += 1;
  if (a.remaining_requests > 0) a.remaining_requests -= 1;
  if (a.remaining_tokens >= 0) a.remaining_tokens = std::max<std::int64_t>(0, a.remaining_tokens - estimate);
  *out = {key.id.value, estimate, month, id, true};
  return a;
}

void KeyLimits::settle(Reservation& r, std::int64_t actual, bool refund_request) {
  if (!r.active) return;
  r.active = false;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(r.key_id);
  if (it == entries_.end()) return;
  auto& e = it->second;
  for (auto& t : e.tokens)
    if (t.id == r.tpm_entry) t.tokens = actual;
  // Reservations carry over a month change, so they are released whatever month this is now; the
  // real usage counts in the month it finished in.
  e.reserved_tokens -= r.estimate;
  e.reserved_requests -= 1;
  e.used.tokens += actual;
  if (!refund_request) e.used.requests += 1;
}

}  // namespace airlock::gateway
