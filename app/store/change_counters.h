#pragma once
// Cross-process change counters, one per family of tables the request path caches (gateway keys;
// the catalog of providers and models). They live in a small file beside the database
// (<db>-changes, 0600) mapped shared: every process's writer bumps a family's counter right after
// a commit that touched it, before the writer acknowledges the job, and readers compare with one
// memory load. So a cache can be exact ("a revoked key fails on the very next request", also when
// `airlock key revoke` ran in another process) without a statement per request.
//
// A reader that loads a row must read the counter *before* its query: a commit that lands between
// the two then shows as a newer counter, and the row is loaded again next time.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace airlock::store {

enum class Family : int { kGatewayKeys = 0, kCatalog = 1, kSettings = 2 };
constexpr int kFamilies = 3;

class ChangeCounters {
 public:
  // Creates the file if needed (0600, no symlinks followed).
  static core::Result<std::unique_ptr<ChangeCounters>> open(const std::string& path);
  ~ChangeCounters();
  ChangeCounters(const ChangeCounters&) = delete;
  ChangeCounters& operator=(const ChangeCounters&) = delete;

  std::uint64_t get(Family f) const { return slot(f).load(std::memory_order_acquire); }
  void bump(Family f) { slot(f).fetch_add(1, std::memory_order_acq_rel); }

  // Which family a table belongs to; -1 for tables nobody caches.
  static int family_of(std::string_view table);

 private:
  ChangeCounters(void* map, std::size_t len) : map_(map), len_(len) {}
  std::atomic<std::uint64_t>& slot(Family f) const {
    // One cache line per counter: the keys counter changes without disturbing the catalog's.
    return *reinterpret_cast<std::atomic<std::uint64_t>*>(static_cast<char*>(map_) + 64 * static_cast<int>(f));
  }
  void* map_;
  std::size_t len_;
};

}  // namespace airlock::store
