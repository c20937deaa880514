#include "store/response_ids_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::response_ids {

void put(Tx& tx, const ResponseOwner& o) {
  SQLite::Statement q(tx.db(),
                      "INSERT OR REPLACE INTO response_ids (id, key_id, provider_id, model, upstream_model, created_at, "
                      "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, o.id);
  q.bind(2, o.key_id);
  q.bind(3, o.provider_id);
  q.bind(4, o.model);
  q.bind(5, o.upstream_model);
  q.bind(6, o.created_at);
  q.bind(7, o.expires_at);
  q.exec();
}

std::optional<ResponseOwner> find(Tx& tx, const std::string& id, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "SELECT id, key_id, provider_id, model, upstream_model, created_at, expires_at FROM response_ids "
                      "WHERE id = ? AND expires_at > ?");
  q.bind(1, id);
  q.bind(2, now);
  if (!q.executeStep()) return std::nullopt;
  return ResponseOwner{q.getColumn(0).getString(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64(),
                       q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getInt64(),
                       q.getColumn(6).getInt64()};
}

void remove(Tx& tx, const std::string& id) {
  SQLite::Statement q(tx.db(), "DELETE FROM response_ids WHERE id = ?");
  q.bind(1, id);
  q.exec();
}

int remove_expired(Tx& tx, std::int64_t now) {
  SQLite::Statement q(tx.db(), "DELETE FROM response_ids WHERE expires_at <= ?");
  q.bind(1, now);
  return q.exec();
}

}  // namespace airlock::store::response_ids
