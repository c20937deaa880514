#include "gateway/catalog_cache.h"

namespace airlock::gateway {

std::shared_ptr<const Catalog> CatalogCache::get() {
  auto version = db_.changes().get(store::Family::kCatalog);  // before the query: see change_counters.h
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool fresh = current_ && version_ == version;
    if (fresh || (current_ && loading_)) return current_;
    loading_ = true;
  }
  auto next = std::make_shared<Catalog>();
  auto s = db_.view([&](store::Tx& tx) {
    for (auto& m : store::catalog::models(tx)) next->models.emplace(m.name, std::move(m));
    for (auto& p : store::catalog::providers(tx)) next->providers.emplace(p.id.value, std::move(p));
    return core::Status::ok();
  });
  std::lock_guard<std::mutex> lock(mu_);
  loading_ = false;
  if (s) {
    current_ = std::move(next);
    version_ = version;
  }
  return current_;
}

}  // namespace airlock::gateway
