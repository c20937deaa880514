#include "gateway/catalog_cache.h"

namespace airlock::gateway {

std::shared_ptr<const Catalog> CatalogCache::get() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool fresh = current_ && clock_.steady_now() - loaded_at_ < ttl_;
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
    loaded_at_ = clock_.steady_now();
  }
  return current_;
}

void CatalogCache::invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  current_.reset();
}

}  // namespace airlock::gateway
