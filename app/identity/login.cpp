#include "identity/login.h"

#include <SQLiteCpp/Statement.h>

#include "identity/audit_events.h"
#include "core/log.h"
#include "identity/email.h"
#include "identity/lockout.h"
#include "identity/mfa.h"
#include "store/users_repo.h"

namespace airlock::identity {
core::Status generic_login_error() {
  return core::Status::error("invalid_credentials", "Invalid e-mail or password.");
}

core::Result<LoginResult> login_with_password(Deps& deps, std::string_view email_raw, std::string_view password,
                                              const Origin& origin, std::chrono::milliseconds* delay) {
  auto email = normalize_email(email_raw);
  std::optional<store::UserRow> user;
  Throttle throttle;
  auto subject = subject_of(email_raw);
  auto s0 = deps.db.view([&](store::Tx& tx) {
    if (email) user = store::users::find_by_email(tx, *email);
    throttle = throttle_for(deps, tx, subject, origin.ip);  // known account or not, alike
    return core::Status::ok();
  });
  if (!s0) return s0;
  if (delay) *delay = throttle.delay;
  auto now = deps.now_s();
  bool locked = throttle.address_locked;
  PasswordCheck check{false, false};
  // A locked-out address gets no password check: under attack, no argon2 work either.
  if (user && user->active && !locked) {
    check = verify_password(password, user->password_hash, deps.policies.argon2);
  } else if (!locked) {
    dummy_verify(password, deps.policies.argon2);  // same cost as a real check
  }
  bool ok = check.ok && user && user->active && !locked;

  // A successful login upgrades a hash made with older parameters (outside the writer: slow).
  std::optional<std::string> upgraded;
  if (ok && check.needs_rehash) {
    auto h = hash_password(password, deps.policies.argon2, deps.random);
    if (h) upgraded = *h;
  }

  LoginResult result;
  auto at = core::format_time_utc(deps.clock.system_now());
  auto s = deps.db.write([&](store::Tx& tx) {
    if (!ok) {
      // Wrong passwords count towards lockout; attempts while locked don't extend it.
      if (!locked) record_auth_failure(deps, tx, user ? std::optional(user->id) : std::nullopt, subject, "password", origin);
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
    // Where the policy requires MFA, a user without it is held at enrolment until they set it up.
    // Read here, in the write: a policy turned on just before cannot be missed by this session.
    result.mfa_pending = user->totp_enabled || mfa_required_for(tx, user->role);
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
