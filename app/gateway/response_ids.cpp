#include "gateway/response_ids.h"

namespace airlock::gateway {

bool ResponseIds::valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

void ResponseIds::remember(store::ResponseOwner owner) {
  if (!valid_id(owner.id)) return;
  owner.created_at = deps_.now_s();
  owner.expires_at = owner.created_at + kLifetimeSeconds;
  {
    std::lock_guard lock(mu_);
    // Forgotten ids keep their place in order_ until they reach the front: both stay bounded.
    while ((recent_.size() >= kMaxEntries || order_.size() >= 2 * kMaxEntries) && !order_.empty()) {
      recent_.erase(order_.front());
      order_.pop_front();
    }
    if (recent_.insert_or_assign(owner.id, owner).second) order_.push_back(owner.id);
  }
  // Off the request path; a full queue leaves it in memory only (until evicted or restarted).
  auto now = owner.created_at;
  (void)deps_.db.writer().try_submit([owner = std::move(owner), now](SQLite::Database& db) {
    store::Tx tx(db);
    store::response_ids::put(tx, owner);
    if (now % 64 == 0) store::response_ids::remove_expired(tx, now);  // now and then, not every time
    return core::Status::ok();
  });
}

std::optional<store::ResponseOwner> ResponseIds::find(const std::string& id) {
  if (!valid_id(id)) return std::nullopt;
  auto now = deps_.now_s();
  {
    std::lock_guard lock(mu_);
    if (auto it = recent_.find(id); it != recent_.end()) {
      if (it->second.expires_at > now) return it->second;
      return std::nullopt;
    }
  }
  std::optional<store::ResponseOwner> found;
  auto s = deps_.db.view([&](store::Tx& tx) {
    found = store::response_ids::find(tx, id, now);
    return core::Status::ok();
  });
  return s ? found : std::nullopt;
}

void ResponseIds::forget(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    recent_.erase(id);  // its place in order_ goes when it reaches the front
  }
  (void)deps_.db.writer().try_submit([id](SQLite::Database& db) {
    store::Tx tx(db);
    store::response_ids::remove(tx, id);
    return core::Status::ok();
  });
}

}  // namespace airlock::gateway
