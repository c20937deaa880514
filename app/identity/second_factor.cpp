#include "identity/second_factor.h"

#include <SQLiteCpp/Statement.h>

#include "identity/backup_codes.h"

namespace airlock::identity {
namespace {

// Finds and marks used the backup code matching `normalized`; false when none matches.
bool use_backup_code(store::Tx& tx, core::UserId user, const std::string& normalized, std::int64_t now) {
  if (normalized.empty()) return false;
  SQLite::Statement q(tx.db(), "SELECT id, code_hash FROM backup_codes WHERE user_id = ? AND used_at IS NULL");
  q.bind(1, user.value);
  std::optional<std::int64_t> match;
  while (q.executeStep()) {
    // Every unused code is checked, so timing does not tell which one matched.
    if (verify_backup_code(normalized, q.getColumn(1).getString()) && !match) match = q.getColumn(0).getInt64();
  }
  if (!match) return false;
  SQLite::Statement use(tx.db(), "UPDATE backup_codes SET used_at = ? WHERE id = ? AND used_at IS NULL");
  use.bind(1, now);
  use.bind(2, *match);
  return use.exec() == 1;
}

}  // namespace

crypto::FieldPlace totp_place(core::UserId id) { return {"users", "totp_secret", id.value}; }

core::Result<FactorAttempt> prepare_factor(Deps& deps, const store::UserRow& user, std::string_view code) {
  FactorAttempt a{.user = user.id};
  a.backup = normalize_backup_code(code);
  if (!a.backup.empty()) return a;
  if (!user.totp_secret) return a;  // nothing to check against: consume_factor says no
  auto secret = deps.fields.open(kTotpPurpose, totp_place(user.id), *user.totp_secret);
  if (!secret) return secret.status();
  a.totp = verify_totp(secret->bytes(), code, deps.clock.system_now(), user.totp_last_step);
  return a;
}

bool consume_factor(store::Tx& tx, const FactorAttempt& a, std::int64_t now) {
  if (a.totp) return a.totp->ok && store::users::advance_totp_step(tx, a.user, a.totp->step);
  return use_backup_code(tx, a.user, a.backup, now);
}

}  // namespace airlock::identity
