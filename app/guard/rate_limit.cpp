#include "guard/rate_limit.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace airlock::guard {
namespace {

using SteadyTime = core::Clock::SteadyTime;

// Enough that 2 cores' worth of request threads seldom meet on one mutex; more only costs memory.
constexpr std::size_t kMaxShards = 16;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"rate limiter: %s\"}\n", what);
  std::abort();
}

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

struct Entry {
  // The admission times still in the window, oldest at `head`, in a ring of `limit` slots: a key
  // never holds more in-window hits than that, so the ring never grows.
  std::unique_ptr<SteadyTime[]> ring;
  int head = 0;
  int count = 0;
  // Recency list ordered by latest admission. Map nodes do not move on rehash, so raw links stay
  // valid until the node is erased.
  std::pair<const std::string, Entry>* newer = nullptr;
  std::pair<const std::string, Entry>* older = nullptr;
};

using Map = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;
using Node = Map::value_type;

}  // namespace

struct SlidingWindowLimiter::Shard {
  std::mutex mu;
  Map map;
  Node* newest = nullptr;
  Node* oldest = nullptr;
  // The ring of the last erased key, so that a flood of new keys at capacity recycles rings
  // instead of allocating one each.
  std::unique_ptr<SteadyTime[]> spare;
  std::size_t cap = 0;

  void unlink(Node* n) {
    Entry& e = n->second;
    (e.newer ? e.newer->second.older : newest) = e.older;
    (e.older ? e.older->second.newer : oldest) = e.newer;
    e.newer = e.older = nullptr;
  }

  void push_newest(Node* n) {
    n->second.older = newest;
    (newest ? newest->second.newer : oldest) = n;
    newest = n;
  }

  void erase(Node* n) {
    unlink(n);
    if (!spare) spare = std::move(n->second.ring);
    map.erase(map.find(n->first));
  }
};

namespace {

SteadyTime latest(const Entry& e, int limit) { return e.ring[(e.head + e.count - 1) % limit]; }

}  // namespace

SlidingWindowLimiter::SlidingWindowLimiter(Options options, const core::Clock& clock)
    : options_(options), clock_(clock) {
  if (options_.limit < 1) die("limit must be at least 1");
  if (options_.window < std::chrono::seconds(1)) die("window must be at least 1 s");
  if (options_.max_keys < 1) die("max_keys must be at least 1");
  // Fewer shards than keys would leave some shards with no room at all.
  shard_count_ = std::min(kMaxShards, options_.max_keys);
  shards_ = std::make_unique<Shard[]>(shard_count_);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].cap = options_.max_keys / shard_count_ + (i < options_.max_keys % shard_count_ ? 1 : 0);
  }
}

SlidingWindowLimiter::~SlidingWindowLimiter() = default;

SlidingWindowLimiter::Shard& SlidingWindowLimiter::shard_for(std::string_view key) {
  // The map buckets by the low bits of the same hash; picking the shard from the high bits of a
  // multiplicative mix keeps the two choices independent.
  const std::uint64_t mixed = static_cast<std::uint64_t>(KeyHash{}(key)) * 0x9E3779B97F4A7C15ull;
  return shards_[(mixed >> 32) % shard_count_];
}

SlidingWindowLimiter::Decision SlidingWindowLimiter::hit(std::string_view key) {
  const int limit = options_.limit;
  Shard& s = shard_for(key);
  std::lock_guard lock(s.mu);
  // Read under the lock so admissions enter each ring in time order even when threads race.
  const SteadyTime now = clock_.steady_now();
  const SteadyTime horizon = now - options_.window;  // a hit at or before this has left the window

  // The recency list is in order of latest admission, so every idle key sits at the old end.
  while (s.oldest && latest(s.oldest->second, limit) <= horizon) s.erase(s.oldest);

  auto it = s.map.find(key);
  const bool fresh = it == s.map.end();
  if (fresh) {
    if (s.map.size() >= s.cap) s.erase(s.oldest);
    auto ring = s.spare ? std::move(s.spare) : std::make_unique_for_overwrite<SteadyTime[]>(limit);
    it = s.map.try_emplace(std::string(key)).first;
    it->second.ring = std::move(ring);
  }
  Entry& e = it->second;
  while (e.count > 0 && e.ring[e.head] <= horizon) {
    e.head = (e.head + 1) % limit;
    --e.count;
  }

  if (e.count == limit) {
    // Not moved in the recency list: it stays ordered by latest admission for the sweep above.
    // The oldest hit is in the window (oldest + window > now) and not in the future (oldest <=
    // now), so the wait is in (0, window]; rounding up to whole seconds keeps it in [1 s, window]
    // and still late enough that the oldest hit has left when the client returns.
    const auto wait = e.ring[e.head] + options_.window - now;
    return {false, std::chrono::ceil<std::chrono::seconds>(wait), 0};
  }
  e.ring[(e.head + e.count) % limit] = now;
  ++e.count;
  if (!fresh) s.unlink(&*it);
  s.push_newest(&*it);
  return {true, std::chrono::seconds(0), limit - e.count};
}

std::size_t SlidingWindowLimiter::tracked_keys() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].map.size();
  }
  return n;
}

}  // namespace airlock::guard
