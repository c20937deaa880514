#pragma once
// Providers and models as the request path reads them: a snapshot from the store, reloaded when it
// is older than `ttl` (1 s in production), so a request does not pay three or four statements for
// data that changes only with the provisioning file. Keys are not cached: revocation must hold from
// the very next request. Thread-safe; a reload happens on one thread while the others keep using
// the previous snapshot.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "store/catalog_repo.h"
#include "store/database.h"

namespace airlock::gateway {

struct Catalog {
  std::map<std::string, store::ModelRow, std::less<>> models;
  std::map<std::int64_t, store::ProviderRow> providers;
};

class CatalogCache {
 public:
  CatalogCache(store::Database& db, const core::Clock& clock, std::chrono::milliseconds ttl)
      : db_(db), clock_(clock), ttl_(ttl) {}
  // nullptr only when the store cannot be read and no earlier snapshot exists.
  std::shared_ptr<const Catalog> get();
  void invalidate();

 private:
  store::Database& db_;
  const core::Clock& clock_;
  std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::shared_ptr<const Catalog> current_;
  core::Clock::SteadyTime loaded_at_{};
  bool loading_ = false;
};

}  // namespace airlock::gateway
