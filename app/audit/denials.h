#pragma once
// Failed authorization attempts as audit events (ASVS V16.3.2; CSRF refusals, V16.3.3): a role
// too low, an access token's scope, a same-origin / CSRF failure, a gateway key's IP allowlist,
// scope or model list. 401s are authentication, audited by the sign-in code, not here; object-level
// refusals inside handlers (identity/users_admin.cpp) are audited by those handlers, under the
// same per-actor budget (admit()).
//
// Each denial becomes "authz.denied" (outcome "denied", target = the route pattern, never the raw
// path or query, which may carry tokens). A refused caller can retry as fast as it likes, so per
// actor at most `per_window` events are written per `window`; further denials in that window are
// only counted, and the count becomes one "authz.denied_suppressed" event at the actor's first
// denial after the window, at a sweep (at most once a window, from record()), when the actor is
// evicted, or at flush_all() on shutdown. At most `max_actors` actors are tracked; beyond that the
// one whose window started first is evicted and simply starts fresh. Over all actors at most
// `all_per_window` events are written per window; the overflow is one summary with its count.
// Anonymous callers are keyed by address, an IPv6 address by its /64 (guard.cpp), so one host's
// block of addresses counts as one actor.
//
// record() never blocks on the store: the store sink hands events to the writer queue with
// try_submit and does not wait for the commit (a full queue drops the event, counted and logged at
// most once a minute). Thread-safe; the critical section is a map lookup.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/ids.h"

namespace airlock::core {
class Logger;
}
namespace airlock::store {
class Database;
}

namespace airlock::audit {

struct Denial {
  std::string actor_kind;            // user | token | key | anonymous
  std::string actor_id;              // user id, token or key public id; the client IP for anonymous
  std::optional<core::UserId> user;  // the signed-in user, when there is one
  std::string actor_display;         // e-mail or key name when cheaply known; never a secret
  std::string method;
  std::string route;                 // the route pattern
  std::string reason;                // the error code the caller got, e.g. "forbidden"
  std::string request_id;
  std::string ip;
  std::string user_agent;
};

// The actor key of a caller known only by address: the address itself, but an IPv6 address by
// its /64 ("2001:db8:1:2::/64"), since one host usually holds the whole block.
std::string anonymous_actor_key(const std::string& ip);

class DenialRecorder {
 public:
  using Sink = std::function<void(Event, std::string at)>;
  struct Options {
    int per_window = 10;
    std::chrono::seconds window{60};
    std::size_t max_actors = 10000;
    // Over all actors: many actors (an attacker rotating addresses) must not add up to a flood.
    // Beyond it denials are only counted, into one summary per window with actor "(many)".
    int all_per_window = 600;
  };

  DenialRecorder(Sink sink, const core::Clock& clock, Options options);
  DenialRecorder(Sink sink, const core::Clock& clock) : DenialRecorder(std::move(sink), clock, Options{}) {}

  // Writes (or counts) one denial.
  void record(const Denial& d);
  // For refusals audited by the code that refused (identity/users_admin.cpp writes its own
  // "denied" event in its own transaction): the same per-actor budget. True when the caller
  // should write `who` now; false when it was only counted (its summary follows as for record()).
  bool admit(const std::string& actor_key, const Event& who);
  // Writes the summaries still owed, also for windows not yet over (shutdown).
  void flush_all();

  std::size_t tracked() const;

  // Appends each event through the writer queue without waiting for its commit.
  static Sink store_sink(store::Database& db, core::Logger& log, const core::Clock& clock);

 private:
  struct Actor {
    std::chrono::steady_clock::time_point window_start;
    int written = 0;
    std::int64_t suppressed = 0;
    Event last;  // who, for the summary
  };
  using Pending = std::vector<Event>;

  // Counts one denial by `key`; true when it is within the budget. Summaries owed go to `out`.
  bool count(const std::string& key, const Event& e, std::chrono::steady_clock::time_point now, Pending& out);
  void summarise(Actor& a, Pending& out) const;
  // Ends the window over all actors: its overflow count as one summary, and the counters reset.
  void close_all_window(Pending& out);
  void sweep(std::chrono::steady_clock::time_point now, Pending& out);
  void emit(Pending& out);

  Sink sink_;
  const core::Clock& clock_;
  Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Actor> actors_;
  std::list<std::string> order_;  // actor keys, oldest window start first
  std::chrono::steady_clock::time_point all_window_start_{};
  int all_written_ = 0;
  std::int64_t all_suppressed_ = 0;
};

}  // namespace airlock::audit
