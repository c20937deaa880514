#include "identity/second_factor.h"

#include <SQLiteCpp/Statement.h>

#include <vector>

#include "identity/backup_codes.h"

namespace airlock::identity {
namespace {

// The unused backup code matching `normalized`, checked outside any write: every unused code is
// checked, so timing does not tell which one matched.
core::Result<std::optional<std::int64_t>> find_backup_code(Deps& deps, core::UserId user, const std::string& normalized) {
  std::vector<std::pair<std::int64_t, std::string>> unused;
  auto s = deps.db.view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT id, code_hash FROM backup_codes WHERE user_id = ? AND used_at IS NULL");
    q.bind(1, user.value);
    while (q.executeStep()) unused.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
    return core::Status::ok();
  });
  if (!s) return s;
  std::optional<std::int64_t> match;
  for (const auto& [id, hash] : unused)
    if (verify_backup_code(normalized, hash) && !match) match = id;
  return match;
}

}  // namespace

crypto::FieldPlace totp_place(core::UserId id) { return {"users", "totp_secret", id.value}; }

core::Result<FactorAttempt> prepare_factor(Deps& deps, const store::UserRow& user, std::string_view code) {
  FactorAttempt a{.user = user.id};
  a.backup = normalize_backup_code(code);
  if (!a.backup.empty()) {
    auto found = find_backup_code(deps, user.id, a.backup);
    if (!found) return found.status();
    a.backup_id = *found;
    return a;
  }
  if (!user.totp_secret) return a;  // nothing to check against: consume_factor says no
  auto secret = deps.fields.open(kTotpPurpose, totp_place(user.id), *user.totp_secret);
  if (!secret) return secret.status();
  a.totp = verify_totp(secret->bytes(), code, deps.clock.system_now(), user.totp_last_step);
  return a;
}

bool consume_factor(store::Tx& tx, const FactorAttempt& a, std::int64_t now) {
  if (a.totp) return a.totp->ok && store::users::advance_totp_step(tx, a.user, a.totp->step);
  if (!a.backup_id) return false;
  // Still unused now, inside the write: of two requests with the same code, one wins.
  SQLite::Statement use(tx.db(), "UPDATE backup_codes SET used_at = ? WHERE id = ? AND user_id = ? AND used_at IS NULL");
  use.bind(1, now);
  use.bind(2, *a.backup_id);
  use.bind(3, a.user.value);
  return use.exec() == 1;
}

}  // namespace airlock::identity
