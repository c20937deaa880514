#include "gateway/key_cache.h"

namespace airlock::gateway {

core::Result<std::optional<store::GatewayKeyRow>> KeyCache::find(const std::string& public_id) {
  auto version = db_.changes().get(store::Family::kGatewayKeys);  // before the query: see change_counters.h
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = entries_.find(public_id); it != entries_.end() && it->second.version == version)
      return it->second.row;
  }
  std::optional<store::GatewayKeyRow> row;
  auto s = db_.view([&](store::Tx& tx) {
    row = store::gateway_keys::find_by_public_id(tx, public_id);
    return core::Status::ok();
  });
  if (!s) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(public_id, Entry{version, row});
  return row;
}

}  // namespace airlock::gateway
