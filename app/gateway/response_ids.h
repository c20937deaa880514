#pragma once
// Who owns each stored Responses API response (resp_…): the key that created it, the provider that
// holds it, the model. Remembered in memory as the answer passes (so a retrieve right after a
// create finds it without waiting for a commit) and in the store (so it survives a restart; written
// off the request path). A lookup that misses memory reads the store. Bounded: at most kMaxEntries
// in memory; older ones are read from the store again when asked for. Thread-safe.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/deps.h"
#include "store/response_ids_repo.h"

namespace airlock::gateway {

class ResponseIds {
 public:
  explicit ResponseIds(Deps& deps) : deps_(deps) {}
  static constexpr std::size_t kMaxEntries = 100000;
  static constexpr std::int64_t kLifetimeSeconds = 30LL * 86400;  // as long as the vendor keeps them

  // A well-formed id: 1 to 128 of [A-Za-z0-9_-] (what goes into an upstream path).
  static bool valid_id(std::string_view id);

  void remember(store::ResponseOwner owner);
  // nullopt: unknown, expired, or the store could not be read.
  std::optional<store::ResponseOwner> find(const std::string& id);
  void forget(const std::string& id);

 private:
  Deps& deps_;
  std::mutex mu_;
  std::unordered_map<std::string, store::ResponseOwner> recent_;
  std::deque<std::string> order_;  // insertion order, for eviction
};

}  // namespace airlock::gateway
