#include "store/sessions_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::sessions {
namespace {

constexpr const char* kColumns = "id, user_id, csrf_token, mfa_done, created_at, last_seen_at, ip, user_agent, reauth_at";

SessionRow read_row(SQLite::Statement& q) {
  SessionRow s;
  s.id = core::SessionId(q.getColumn(0).getInt64());
  s.user_id = core::UserId(q.getColumn(1).getInt64());
  s.csrf_token = q.getColumn(2).getString();
  s.mfa_done = q.getColumn(3).getInt() != 0;
  s.created_at = q.getColumn(4).getInt64();
  s.last_seen_at = q.getColumn(5).getInt64();
  s.ip = q.getColumn(6).getString();
  s.user_agent = q.getColumn(7).getString();
  s.reauth_at = q.getColumn(8).getInt64();
  return s;
}

}  // namespace

core::SessionId insert(Tx& tx, core::UserId user, const std::string& token_hash, const std::string& csrf_token,
                       bool mfa_done, std::int64_t now, const std::string& ip, const std::string& user_agent,
                       bool reauth) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO sessions (user_id, token_hash, csrf_token, mfa_done, created_at, last_seen_at, ip, "
                      "user_agent, reauth_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, user.value);
  q.bind(2, token_hash.data(), static_cast<int>(token_hash.size()));
  q.bind(3, csrf_token);
  q.bind(4, mfa_done ? 1 : 0);
  q.bind(5, now);
  q.bind(6, now);
  q.bind(7, ip);
  q.bind(8, user_agent);
  q.bind(9, reauth ? now : std::int64_t{0});
  q.exec();
  return core::SessionId(tx.db().getLastInsertRowid());
}

std::optional<SessionRow> find_open_by_token_hash(Tx& tx, const std::string& token_hash) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns +
                                   " FROM sessions WHERE token_hash = ? AND ended_at IS NULL");
  q.bind(1, token_hash.data(), static_cast<int>(token_hash.size()));
  if (!q.executeStep()) return std::nullopt;
  return read_row(q);
}

std::vector<SessionRow> list_open_for_user(Tx& tx, core::UserId user) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns +
                                   " FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY created_at DESC");
  q.bind(1, user.value);
  std::vector<SessionRow> out;
  while (q.executeStep()) out.push_back(read_row(q));
  return out;
}

void touch(Tx& tx, core::SessionId id, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL");
  q.bind(1, now);
  q.bind(2, id.value);
  q.exec();
}

void set_reauth(Tx& tx, core::SessionId id, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE sessions SET reauth_at = ? WHERE id = ? AND ended_at IS NULL");
  q.bind(1, now);
  q.bind(2, id.value);
  q.exec();
}

int end_all(Tx& tx, core::SessionId keep, bool owners_too, std::int64_t now, const std::string& reason) {
  SQLite::Statement q(tx.db(),
                      "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL AND id != ? AND "
                      "(? OR user_id NOT IN (SELECT id FROM users WHERE role = 'owner'))");
  q.bind(1, now);
  q.bind(2, reason);
  q.bind(3, keep.value);
  q.bind(4, owners_too ? 1 : 0);
  return q.exec();
}

bool end_for_user(Tx& tx, core::UserId user, core::SessionId id, std::int64_t now, const std::string& reason) {
  SQLite::Statement q(tx.db(),
                      "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND user_id = ? AND ended_at IS NULL");
  q.bind(1, now);
  q.bind(2, reason);
  q.bind(3, id.value);
  q.bind(4, user.value);
  return q.exec() == 1;
}

void end(Tx& tx, core::SessionId id, std::int64_t now, const std::string& reason) {
  SQLite::Statement q(tx.db(), "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL");
  q.bind(1, now);
  q.bind(2, reason);
  q.bind(3, id.value);
  q.exec();
}

int end_all_for_user(Tx& tx, core::UserId user, std::int64_t now, const std::string& reason) {
  SQLite::Statement q(tx.db(),
                      "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL");
  q.bind(1, now);
  q.bind(2, reason);
  q.bind(3, user.value);
  return q.exec();
}

int end_all_without_factor(Tx& tx, std::int64_t now, const std::string& reason) {
  SQLite::Statement q(tx.db(),
                      "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL "
                      "AND user_id IN (SELECT id FROM users WHERE totp_enabled = 0)");
  q.bind(1, now);
  q.bind(2, reason);
  return q.exec();
}

bool is_open(Tx& tx, core::SessionId id) {
  SQLite::Statement q(tx.db(), "SELECT 1 FROM sessions WHERE id = ? AND ended_at IS NULL");
  q.bind(1, id.value);
  return q.executeStep();
}

}  // namespace airlock::store::sessions
