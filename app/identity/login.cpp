#include "identity/login.h"

#include <SQLiteCpp/Statement.h>

#include "identity/audit_events.h"
#include "core/log.h"
#include "identity/email.h"
#include "identity/mfa.h"
#include "store/users_repo.h"

namespace airlock::identity {
namespace {

std::int64_t failures_since(store::Tx& tx, core::UserId user, std::int64_t since) {
  SQLite::Statement q(tx.db(), "SELECT count(*) FROM auth_failures WHERE user_id = ? AND at > ?");
  q.bind(1, user.value);
  q.bind(2, since);
  q.executeStep();
  return q.getColumn(0).getInt64();
}


}  // namespace

core::Status generic_login_error() {
  return core::Status::error("invalid_credentials", "Invalid e-mail or password.");
}

bool record_auth_failure(Deps& deps, store::Tx& tx, std::optional<core::UserId> user, const std::string& kind,
                         const Origin& origin) {
  auto now = deps.now_s();
  SQLite::Statement ins(tx.db(), "INSERT INTO auth_failures (user_id, ip, kind, at) VALUES (?, ?, ?, ?)");
  if (user) ins.bind(1, user->value);
  ins.bind(2, origin.ip);
  ins.bind(3, kind);
  ins.bind(4, now);
  ins.exec();
  if (!user) return false;
  auto window_start = now - deps.policies.lockout_window.count();
  if (failures_since(tx, *user, window_start) < deps.policies.lockout_failures) return false;
  store::users::set_locked_until(tx, *user, now + deps.policies.lockout_duration.count(), now);
  auto e = origin_event("account.locked", "success", origin);
  e.actor = "system";
  e.target = "user:" + user->str();
  e.details_json = R"({"after_failures":)" + std::to_string(deps.policies.lockout_failures) + "}";
  audit::append(tx, e, core::format_time_utc(deps.clock.system_now()));
  return true;
}

core::Result<LoginResult> login_with_password(Deps& deps, std::string_view email_raw, std::string_view password,
                                              const Origin& origin) {
  auto email = normalize_email(email_raw);
  std::optional<store::UserRow> user;
  if (email) {
    auto s = deps.db.view([&](store::Tx& tx) {
      user = store::users::find_by_email(tx, *email);
      return core::Status::ok();
    });
    if (!s) return s;
  }
  auto now = deps.now_s();
  PasswordCheck check{false, false};
  if (user && user->active) {
    check = verify_password(password, user->password_hash, deps.policies.argon2);
  } else {
    dummy_verify(password, deps.policies.argon2);  // same cost as a real check
  }
  bool locked = user && user->locked_until > now;
  bool ok = check.ok && user && user->active && !locked;

  // A successful login upgrades a hash made with older parameters (outside the writer: slow).
  std::optional<std::string> upgraded;
  if (ok && check.needs_rehash) {
    auto h = hash_password(password, deps.policies.argon2, deps.random);
    if (h) upgraded = *h;
  }

  LoginResult result;
  bool require_mfa = ok && mfa_required(deps);
  auto at = core::format_time_utc(deps.clock.system_now());
  auto s = deps.db.write([&](store::Tx& tx) {
    if (!ok) {
      // Wrong passwords count towards lockout; attempts while locked don't extend it.
      if (!locked) record_auth_failure(deps, tx, user ? std::optional(user->id) : std::nullopt, "password", origin);
      auto e = origin_event("login", "failure", origin);
      if (user) e.target = "user:" + user->id.str();
      e.actor = email ? *email : std::string("(invalid e-mail)");
      e.details_json = std::string(R"({"reason":")") +
                       (!user ? "unknown_user" : !user->active ? "inactive" : locked ? "locked" : "wrong_password") +
                       "\"}";
      audit::append(tx, e, at);
      return core::Status::ok();
    }
    if (upgraded) store::users::set_password_hash(tx, user->id, *upgraded, now);
    // With MFA required for everyone, a user without it is held at enrolment until they set it up.
    result.mfa_pending = user->totp_enabled || require_mfa;
    result.session = start_session(deps, tx, user->id, !result.mfa_pending, origin);
    auto e = origin_event("login", "success", origin);
    e.actor_user = user->id;
    e.actor = user->email;
    e.target = "user:" + user->id.str();
    e.details_json = std::string(R"({"mfa_pending":)") + (result.mfa_pending ? "true" : "false") +
                     (upgraded ? R"(,"hash_upgraded":true})" : "}");
    audit::append(tx, e, at);
    return core::Status::ok();
  });
  if (!s) return s;
  if (!ok) return generic_login_error();
  return result;
}

}  // namespace airlock::identity
