#pragma once
// Providers and models as the request path reads them: a snapshot from the store, reloaded only
// after a commit changed one of their tables (store/change_counters.h, bumped by the writer of any
// process: the console, the API, the provisioning file). A request pays one memory load, and a
// change holds from the next request. Thread-safe; a reload happens on one thread while the others
// keep using the previous snapshot.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/catalog_repo.h"
#include "store/database.h"

namespace airlock::gateway {

struct Catalog {
  std::map<std::string, store::ModelRow, std::less<>> models;
  std::map<std::int64_t, store::ProviderRow> providers;
};

class CatalogCache {
 public:
  explicit CatalogCache(store::Database& db) : db_(db) {}
  // nullptr only when the store cannot be read and no earlier snapshot exists.
  std::shared_ptr<const Catalog> get();

 private:
  store::Database& db_;
  std::mutex mu_;
  std::shared_ptr<const Catalog> current_;
  std::uint64_t version_ = 0;
  bool loading_ = false;
};

}  // namespace airlock::gateway
