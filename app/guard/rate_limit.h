#pragma once
// Per-key sliding-window limiter for the identity endpoints (login, setup, invite acceptance, CSP
// reports; ASVS V2.4.1, V6.3.1) and later per-key gateway limits. A hit is admitted when fewer than
// `limit` hits were admitted for its key in the last `window`; a refused hit is not counted, so a
// client that waits `retry_after` gets through however often it retried meanwhile. Punishing
// persistent failure is the lockout's job, not this one's.
//
// Exact, not the two-window counter approximation (Cloudflare, nginx): that estimate assumes the
// previous window's hits were spread evenly, so hits bunched at its end let up to ~2x `limit`
// through in a real window, and a burst at the start of a window keeps the key refused for up to
// two windows, so no `retry_after` could be both honest and at most one window. Instead each key
// keeps a ring of its last `limit` admission times: 8 bytes per allowed hit, about
// 8 * limit + ~120 bytes per tracked key, fixed when the key is first seen. Identity
// limits are at most 60, so 100k keys stay near 60 MB.
//
// Memory is bounded by `max_keys`, split evenly over up to 16 shards. A new key first drops keys
// whose hits have all left the window, then, if its shard is still full, the shard's key with the
// oldest admitted hit. Evicting a key forgets its hits, but an attacker must bring about
// max_keys / 16 fresh keys (each with its own quota) to push one out, so rotating addresses gains
// nothing that the rotated addresses did not already give. Callers should key IPv6 clients by
// their /64, which one host usually controls whole.
//
// Thread-safe: a key's shard is chosen by hash and each shard has its own mutex, so hits for
// different keys rarely wait on each other. Time comes from `Clock::steady_now()`.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "core/clock.h"

namespace airlock::guard {

class SlidingWindowLimiter {
 public:
  struct Options {
    int limit;                    // hits admitted per window; REQUIRES: >= 1
    std::chrono::seconds window;  // REQUIRES: >= 1 s
    std::size_t max_keys = 100000;  // REQUIRES: >= 1
  };

  struct Decision {
    bool allowed;
    // Refused: whole seconds (1..window) after which this key's next hit is admitted, provided no
    // other hit for it is admitted first. Allowed: 0.
    std::chrono::seconds retry_after;
    int remaining;  // hits still admitted in the current window after this one
  };

  // `clock` must outlive the limiter. Broken REQUIRES abort: options are configuration, already
  // validated, never client input.
  SlidingWindowLimiter(Options options, const core::Clock& clock);
  ~SlidingWindowLimiter();
  SlidingWindowLimiter(const SlidingWindowLimiter&) = delete;
  SlidingWindowLimiter& operator=(const SlidingWindowLimiter&) = delete;

  // Records the hit if admitted. Allocates only when `key` is not tracked yet.
  Decision hit(std::string_view key);

  // Keys currently holding state; never more than `max_keys`.
  std::size_t tracked_keys() const;
  const Options& options() const { return options_; }

 private:
  struct Shard;
  Shard& shard_for(std::string_view key);

  Options options_;
  const core::Clock& clock_;
  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace airlock::guard
