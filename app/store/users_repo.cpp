#include "store/users_repo.h"

#include <SQLiteCpp/Statement.h>

#include <functional>

namespace airlock::store::users {
namespace {

constexpr const char* kColumns =
    "id, email, password_hash, role, active, totp_secret, totp_enabled, totp_last_step, locked_until, created_at, "
    "totp_enrol_session, totp_enrol_expires_at";

UserRow read_row(SQLite::Statement& q) {
  UserRow u;
  u.id = core::UserId(q.getColumn(0).getInt64());
  u.email = q.getColumn(1).getString();
  u.password_hash = q.getColumn(2).getString();
  u.role = identity::parse_role(q.getColumn(3).getString()).value_or(identity::Role::kViewer);
  u.active = q.getColumn(4).getInt() != 0;
  if (!q.getColumn(5).isNull()) u.totp_secret = q.getColumn(5).getString();
  u.totp_enabled = q.getColumn(6).getInt() != 0;
  u.totp_last_step = q.getColumn(7).getInt64();
  if (!q.getColumn(10).isNull()) u.totp_enrol_session = q.getColumn(10).getInt64();
  u.totp_enrol_expires_at = q.getColumn(11).getInt64();
  u.locked_until = q.getColumn(8).getInt64();
  u.created_at = q.getColumn(9).getInt64();
  return u;
}

std::optional<UserRow> one(SQLite::Statement& q) {
  if (!q.executeStep()) return std::nullopt;
  return read_row(q);
}

void exec_update(Tx& tx, const char* sql, const std::function<void(SQLite::Statement&)>& bind) {
  SQLite::Statement q(tx.db(), sql);
  bind(q);
  q.exec();
}

}  // namespace

std::optional<UserRow> find_by_email(Tx& tx, const std::string& email) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns + " FROM users WHERE email = ?");
  q.bind(1, email);
  return one(q);
}

std::optional<UserRow> find_by_id(Tx& tx, core::UserId id) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns + " FROM users WHERE id = ?");
  q.bind(1, id.value);
  return one(q);
}

std::vector<UserRow> list_all(Tx& tx) {
  SQLite::Statement q(tx.db(), std::string("SELECT ") + kColumns + " FROM users ORDER BY id");
  std::vector<UserRow> out;
  while (q.executeStep()) out.push_back(read_row(q));
  return out;
}

std::int64_t count_all(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT count(*) FROM users");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::int64_t count_active_owners(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT count(*) FROM users WHERE role = 'owner' AND active = 1");
  q.executeStep();
  return q.getColumn(0).getInt64();
}

core::UserId insert(Tx& tx, const std::string& email, const std::string& password_hash, identity::Role role,
                    std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO users (email, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, email);
  q.bind(2, password_hash);
  q.bind(3, std::string(identity::role_name(role)));
  q.bind(4, now);
  q.bind(5, now);
  q.exec();
  return core::UserId(tx.db().getLastInsertRowid());
}

void set_password_hash(Tx& tx, core::UserId id, const std::string& hash, std::int64_t now) {
  exec_update(tx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", [&](SQLite::Statement& q) {
    q.bind(1, hash);
    q.bind(2, now);
    q.bind(3, id.value);
  });
}

void set_role(Tx& tx, core::UserId id, identity::Role role, std::int64_t now) {
  exec_update(tx, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?", [&](SQLite::Statement& q) {
    q.bind(1, std::string(identity::role_name(role)));
    q.bind(2, now);
    q.bind(3, id.value);
  });
}

void set_active(Tx& tx, core::UserId id, bool active, std::int64_t now) {
  exec_update(tx, "UPDATE users SET active = ?, updated_at = ? WHERE id = ?", [&](SQLite::Statement& q) {
    q.bind(1, active ? 1 : 0);
    q.bind(2, now);
    q.bind(3, id.value);
  });
}

void set_locked_until(Tx& tx, core::UserId id, std::int64_t until, std::int64_t now) {
  exec_update(tx, "UPDATE users SET locked_until = ?, updated_at = ? WHERE id = ?", [&](SQLite::Statement& q) {
    q.bind(1, until);
    q.bind(2, now);
    q.bind(3, id.value);
  });
}

void set_totp(Tx& tx, core::UserId id, const std::optional<std::string>& secret_token, bool enabled,
              std::int64_t now) {
  exec_update(tx,
              "UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_step = 0, totp_enrol_session = NULL, "
              "totp_enrol_expires_at = 0, updated_at = ? WHERE id = ?",
              [&](SQLite::Statement& q) {
                if (secret_token) q.bind(1, *secret_token);
                else q.bind(1);
                q.bind(2, enabled ? 1 : 0);
                q.bind(3, now);
                q.bind(4, id.value);
              });
}

void set_totp_enrolment(Tx& tx, core::UserId id, const std::string& secret_token, std::int64_t session,
                        std::int64_t expires_at, std::int64_t now) {
  exec_update(tx,
              "UPDATE users SET totp_secret = ?, totp_enabled = 0, totp_last_step = 0, totp_enrol_session = ?, "
              "totp_enrol_expires_at = ?, updated_at = ? WHERE id = ?",
              [&](SQLite::Statement& q) {
                q.bind(1, secret_token);
                q.bind(2, session);
                q.bind(3, expires_at);
                q.bind(4, now);
                q.bind(5, id.value);
              });
}

int clear_second_factor(Tx& tx, core::UserId id, std::int64_t now) {
  set_totp(tx, id, std::nullopt, false, now);
  SQLite::Statement del(tx.db(), "DELETE FROM backup_codes WHERE user_id = ?");
  del.bind(1, id.value);
  return del.exec();
}

bool advance_totp_step(Tx& tx, core::UserId id, std::int64_t step) {
  SQLite::Statement q(tx.db(), "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?");
  q.bind(1, step);
  q.bind(2, id.value);
  q.bind(3, step);
  return q.exec() == 1;
}

}  // namespace airlock::store::users
