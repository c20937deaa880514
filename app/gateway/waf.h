#pragma once
// The WAF: repeat offenders are shut out for a while. A violation is a refused request a client
// could have avoided (an input cap passed, a guardrail block, a body that is not JSON or not
// UTF-8). When one key, or one client address (an IPv6 address by its /64), reaches
// `violations_per_minute` violations within 60 s, it is blocked for `block_seconds`: every request
// from it is refused with 429 and Retry-After before anything else is done. Each block is reported
// once, when it starts (the caller audits it); admins see and lift blocks in the console.
//
// In memory, per process (a restart lifts every block). At most kMaxTracked keys and addresses are
// tracked; past that the one seen least recently is forgotten. Thread-safe, one mutex; a request
// that is not blocked costs one hash lookup, and only when something is tracked at all.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "guardrails/policy.h"

namespace airlock::gateway {

class Waf {
 public:
  static constexpr std::size_t kMaxTracked = 50000;

  struct Block {
    std::string subject;   // "key:<id>" or "ip:<address or /64>"
    std::int64_t until_s;  // Unix time the block ends
    std::int64_t violations;
  };

  explicit Waf(const core::Clock& clock) : clock_(clock) {}

  // Counts one violation by `key_id` (when known) and by `ip`; returns the blocks it started.
  std::vector<Block> violation(std::optional<std::int64_t> key_id, const std::string& ip,
                               const guardrails::WafSettings& settings);
  // Seconds until `subject` may come back (rounded up), or 0 when it is not blocked.
  std::int64_t retry_after(const std::string& subject);
  std::vector<Block> blocks();
  bool lift(const std::string& subject);

  // Burst detection, one call per admitted request of `key_id`. Returns the burst when this
  // request made the key's current minute one (once per 10 minutes per key); with
  // settings.burst_block the key is then blocked too (the Block is in `blocked`).
  struct Burst {
    std::int64_t this_minute;
    double baseline;
  };
  std::optional<Burst> request(std::int64_t key_id, const guardrails::WafSettings& settings, std::optional<Block>* blocked);
  std::uint64_t bursts() const { return bursts_.load(std::memory_order_relaxed); }

  static std::string key_subject(std::int64_t key_id) { return "key:" + std::to_string(key_id); }
  static std::string ip_subject(const std::string& ip);

 private:
  struct Entry {
    std::deque<core::Clock::SteadyTime> recent;  // violations within the last minute
    std::optional<core::Clock::SteadyTime> until;
    std::int64_t until_s = 0;
    std::int64_t violations = 0;  // those that led to the block
    std::list<std::string>::iterator lru;
    bool listed = false;  // lru is valid
  };
  std::optional<Block> count(const std::string& subject, const guardrails::WafSettings& s, core::Clock::SteadyTime now);
  void touch(Entry& e, const std::string& subject);

  struct Rate {
    std::int64_t minute = -1;  // steady minutes since the clock's epoch
    std::int64_t count = 0;    // requests in that minute
    std::int64_t minutes_seen = 0;
    double baseline = 0;
    std::optional<core::Clock::SteadyTime> quiet_until;  // no second report before this
  };
  const core::Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::int64_t, Rate> rates_;
  std::atomic<std::uint64_t> bursts_{0};
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recent first
};

}  // namespace airlock::gateway
