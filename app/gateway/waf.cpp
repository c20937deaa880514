#include "gateway/waf.h"

#include "audit/denials.h"

namespace airlock::gateway {

std::string Waf::ip_subject(const std::string& ip) { return "ip:" + audit::anonymous_actor_key(ip); }

void Waf::touch(Entry& e, const std::string& subject) {
  if (e.listed) lru_.erase(e.lru);
  lru_.push_front(subject);
  e.lru = lru_.begin();
  e.listed = true;
}

std::optional<Waf::Block> Waf::count(const std::string& subject, const guardrails::WafSettings& s,
                                     core::Clock::SteadyTime now) {
  auto [it, fresh] = entries_.try_emplace(subject);
  Entry& e = it->second;
  touch(e, subject);
  if (fresh && entries_.size() > kMaxTracked) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  if (e.until && now < *e.until) return std::nullopt;  // already blocked: nothing new to report
  e.until.reset();
  while (!e.recent.empty() && now - e.recent.front() >= std::chrono::seconds(60)) e.recent.pop_front();
  e.recent.push_back(now);
  if (static_cast<std::int64_t>(e.recent.size()) < s.violations_per_minute) return std::nullopt;
  e.violations = static_cast<std::int64_t>(e.recent.size());
  e.recent.clear();
  e.until = now + std::chrono::seconds(s.block_seconds);
  e.until_s = std::chrono::duration_cast<std::chrono::seconds>(clock_.system_now().time_since_epoch()).count() + s.block_seconds;
  return Block{subject, e.until_s, e.violations};
}

std::vector<Waf::Block> Waf::violation(std::optional<std::int64_t> key_id, const std::string& ip,
                                       const guardrails::WafSettings& settings) {
  std::vector<Block> started;
  if (settings.violations_per_minute <= 0) return started;
  auto now = clock_.steady_now();
  std::lock_guard<std::mutex> lock(mu_);
  if (key_id)
    if (auto b = count(key_subject(*key_id), settings, now)) started.push_back(*b);
  if (!ip.empty())
    if (auto b = count(ip_subject(ip), settings, now)) started.push_back(*b);
  return started;
}

std::int64_t Waf::retry_after(const std::string& subject) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.empty()) return 0;
  auto it = entries_.find(subject);
  if (it == entries_.end() || !it->second.until) return 0;
  auto left = *it->second.until - clock_.steady_now();
  if (left <= std::chrono::steady_clock::duration::zero()) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(left + std::chrono::seconds(1) - std::chrono::nanoseconds(1)).count();
}

std::vector<Waf::Block> Waf::blocks() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Block> out;
  auto now = clock_.steady_now();
  for (const auto& [subject, e] : entries_)
    if (e.until && now < *e.until) out.push_back({subject, e.until_s, e.violations});
  return out;
}

std::optional<Waf::Burst> Waf::request(std::int64_t key_id, const guardrails::WafSettings& s,
                                       std::optional<Block>* blocked) {
  if (s.burst_factor <= 0) return std::nullopt;
  constexpr double kAlpha = 0.2;         // weight of the minute just ended in the baseline
  constexpr double kFloor = 10;          // a key that is usually idle is not "bursting" at 11 a minute
  constexpr std::int64_t kMinimum = 60;  // nor below one a second
  constexpr std::int64_t kHistory = 5;   // minutes of history before anything is judged
  auto now = clock_.steady_now();
  std::int64_t minute = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
  std::lock_guard<std::mutex> lock(mu_);
  if (rates_.size() >= kMaxTracked && !rates_.count(key_id)) rates_.clear();  // bounded: start afresh
  Rate& r = rates_[key_id];
  if (r.minute != minute) {
    if (r.minute >= 0) {
      // The minute that ended, then every empty minute since, each pulls the baseline.
      r.baseline = kAlpha * static_cast<double>(r.count) + (1 - kAlpha) * r.baseline;
      for (std::int64_t m = r.minute + 1; m < minute && m < r.minute + 60; ++m) r.baseline *= (1 - kAlpha);
      r.minutes_seen += std::min<std::int64_t>(minute - r.minute, 60);
    }
    r.minute = minute;
    r.count = 0;
  }
  ++r.count;
  if (r.minutes_seen < kHistory || r.count < kMinimum) return std::nullopt;
  if (static_cast<double>(r.count) <= static_cast<double>(s.burst_factor) * std::max(r.baseline, kFloor)) return std::nullopt;
  if (r.quiet_until && now < *r.quiet_until) return std::nullopt;
  r.quiet_until = now + std::chrono::minutes(10);
  bursts_.fetch_add(1, std::memory_order_relaxed);
  Burst b{r.count, r.baseline};
  if (s.burst_block && blocked) {
    auto subject = key_subject(key_id);
    auto [it, fresh] = entries_.try_emplace(subject);
    touch(it->second, subject);
    it->second.until = now + std::chrono::seconds(s.block_seconds);
    it->second.until_s =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.system_now().time_since_epoch()).count() + s.block_seconds;
    it->second.violations = 0;
    *blocked = Block{subject, it->second.until_s, 0};
    (void)fresh;
  }
  return b;
}

bool Waf::lift(const std::string& subject) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(subject);
  if (it == entries_.end() || !it->second.until || clock_.steady_now() >= *it->second.until) return false;
  it->second.until.reset();
  it->second.recent.clear();
  return true;
}

}  // namespace airlock::gateway
