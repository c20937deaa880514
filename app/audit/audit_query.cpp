#include "audit/audit_query.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>

namespace airlock::audit {
namespace {

constexpr const char* kSelect =
    "SELECT id, at, action, outcome, actor_user_id, actor, coalesce(target, ''), coalesce(ip, ''), "
    "coalesce(user_agent, ''), coalesce(request_id, ''), details FROM audit_events ";

std::vector<Row> read_rows(SQLite::Statement& q) {
  std::vector<Row> out;
  while (q.executeStep()) {
    Row r;
    r.id = q.getColumn(0).getInt64();
    r.at = q.getColumn(1).getString();
    r.action = q.getColumn(2).getString();
    r.outcome = q.getColumn(3).getString();
    if (!q.getColumn(4).isNull()) r.actor_user_id = q.getColumn(4).getInt64();
    r.actor = q.getColumn(5).getString();
    r.target = q.getColumn(6).getString();
    r.ip = q.getColumn(7).getString();
    r.user_agent = q.getColumn(8).getString();
    r.request_id = q.getColumn(9).getString();
    r.details_json = q.getColumn(10).getString();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<Row> query(store::Tx& tx, const Filter& f) {
  // A fixed statement: empty filters match everything, so no SQL is ever assembled from input.
  SQLite::Statement q(tx.db(),
                      std::string(kSelect) +
                          "WHERE (?1 = '' OR action = ?1 OR (substr(?1, -1) = '.' AND substr(action, 1, length(?1)) = ?1)) "
                      "AND (?2 = '' OR outcome = ?2) AND (?3 = '' OR actor = ?3) AND id < ?4 "
                      "ORDER BY id DESC LIMIT ?5");
  q.bind(1, f.action);
  q.bind(2, f.outcome);
  q.bind(3, f.actor);
  q.bind(4, f.before_id.value_or(INT64_MAX));
  q.bind(5, std::clamp(f.limit, 1, 200));
  return read_rows(q);
}

std::vector<Row> rows_after(store::Tx& tx, std::int64_t after_id, int limit) {
  SQLite::Statement q(tx.db(),
                      std::string(kSelect) + "WHERE id > ?1 ORDER BY id LIMIT ?2");
  q.bind(1, after_id);
  q.bind(2, std::clamp(limit, 1, 1000));
  return read_rows(q);
}

std::int64_t max_id(store::Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT coalesce(max(id), 0) FROM audit_events");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

}  // namespace airlock::audit
