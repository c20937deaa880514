#include "store/one_time_tokens_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::one_time_tokens {

core::TokenId insert(Tx& tx, const std::string& kind, const std::string& token_hash,
                     const std::optional<std::string>& email, const std::optional<identity::Role>& role,
                     const std::optional<core::UserId>& created_by, std::int64_t now, std::int64_t expires_at,
                     const std::optional<core::UserId>& user_id) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO one_time_tokens (kind, token_hash, email, role, created_by, created_at, expires_at, "
                      "user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, kind);
  q.bind(2, token_hash.data(), static_cast<int>(token_hash.size()));
  if (email) q.bind(3, *email);
  if (role) q.bind(4, std::string(identity::role_name(*role)));
  if (created_by) q.bind(5, created_by->value);
  q.bind(6, now);
  q.bind(7, expires_at);
  if (user_id) q.bind(8, user_id->value);
  q.exec();
  return core::TokenId(tx.db().getLastInsertRowid());
}

std::optional<OneTimeTokenRow> find_usable(Tx& tx, const std::string& kind, const std::string& token_hash,
                                           std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "SELECT id, kind, email, role, created_by, expires_at, user_id FROM one_time_tokens "
                      "WHERE kind = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?");
  q.bind(1, kind);
  q.bind(2, token_hash.data(), static_cast<int>(token_hash.size()));
  q.bind(3, now);
  if (!q.executeStep()) return std::nullopt;
  OneTimeTokenRow r;
  r.id = core::TokenId(q.getColumn(0).getInt64());
  r.kind = q.getColumn(1).getString();
  if (!q.getColumn(2).isNull()) r.email = q.getColumn(2).getString();
  if (!q.getColumn(3).isNull()) r.role = identity::parse_role(q.getColumn(3).getString());
  if (!q.getColumn(4).isNull()) r.created_by = core::UserId(q.getColumn(4).getInt64());
  r.expires_at = q.getColumn(5).getInt64();
  if (!q.getColumn(6).isNull()) r.user_id = core::UserId(q.getColumn(6).getInt64());
  return r;
}

bool consume(Tx& tx, core::TokenId id, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE one_time_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?");
  q.bind(1, now);
  q.bind(2, id.value);
  q.bind(3, now);
  return q.exec() == 1;
}

void void_unused(Tx& tx, const std::string& kind, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE one_time_tokens SET used_at = ? WHERE kind = ? AND used_at IS NULL");
  q.bind(1, now);
  q.bind(2, kind);
  q.exec();
}

void void_unused_for_user(Tx& tx, const std::string& kind, core::UserId user, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE one_time_tokens SET used_at = ? WHERE kind = ? AND user_id = ? AND used_at IS NULL");
  q.bind(1, now);
  q.bind(2, kind);
  q.bind(3, user.value);
  q.exec();
}

}  // namespace airlock::store::one_time_tokens
