#include "store/access_tokens_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::access_tokens {
namespace {

constexpr const char* kColumns =
    "id, user_id, public_id, token_hash, name, scope, created_at, expires_at, last_used_at";

AccessTokenRow read_row(SQLite::Statement& q) {
  AccessTokenRow r;
  r.id = core::TokenId(q.getColumn(0).getInt64());
  r.user_id = core::UserId(q.getColumn(1).getInt64());
  r.public_id = q.getColumn(2).getString();
  auto blob = q.getColumn(3);
  r.token_hash.assign(static_cast<const char*>(blob.getBlob()), static_cast<std::size_t>(blob.getBytes()));
  r.name = q.getColumn(4).getString();
  r.scope = q.getColumn(5).getString();
  r.created_at = q.getColumn(6).getInt64();
  if (!q.getColumn(7).isNull()) r.expires_at = q.getColumn(7).getInt64();
  if (!q.getColumn(8).isNull()) r.last_used_at = q.getColumn(8).getInt64();
  return r;
}

}  // namespace

core::TokenId insert(Tx& tx, core::UserId user, const std::string& public_id, const std::string& token_hash,
                     const std::string& name, const std::string& scope, std::int64_t now,
                     std::optional<std::int64_t> expires_at) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO access_tokens (user_id, public_id, token_hash, name, scope, created_at, expires_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, user.value);
  q.bind(2, public_id);
  q.bind(3, token_hash.data(), static_cast<int>(token_hash.size()));
  q.bind(4, name);
  q.bind(5, scope);
  q.bind(6, now);
  if (expires_at) q.bind(7, *expires_at);
  q.exec();
  return core::TokenId(tx.db().getLastInsertRowid());
}

std::optional<AccessTokenRow> find_live_by_public_id(Tx& tx, const std::string& public_id) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns +
                                   " FROM access_tokens WHERE public_id = ? AND revoked_at IS NULL");
  q.bind(1, public_id);
  if (!q.executeStep()) return std::nullopt;
  return read_row(q);
}

std::vector<AccessTokenRow> list_live_for_user(Tx& tx, core::UserId user) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns +
                                   " FROM access_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC");
  q.bind(1, user.value);
  std::vector<AccessTokenRow> out;
  while (q.executeStep()) out.push_back(read_row(q));
  return out;
}

void touch(Tx& tx, core::TokenId id, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE access_tokens SET last_used_at = ? WHERE id = ?");
  q.bind(1, now);
  q.bind(2, id.value);
  q.exec();
}

bool revoke_for_user(Tx& tx, core::UserId user, core::TokenId id, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL");
  q.bind(1, now);
  q.bind(2, id.value);
  q.bind(3, user.value);
  return q.exec() == 1;
}

int revoke_all_for_user(Tx& tx, core::UserId user, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE access_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL");
  q.bind(1, now);
  q.bind(2, user.value);
  return q.exec();
}

}  // namespace airlock::store::access_tokens
