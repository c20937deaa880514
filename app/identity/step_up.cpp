#include "identity/step_up.h"

#include "identity/audit_events.h"
#include "identity/lockout.h"
#include "identity/mfa.h"
#include "identity/password.h"
#include "identity/second_factor.h"

namespace airlock::identity {

bool stepped_up(const Deps& deps, const store::SessionRow& session) {
  auto age = deps.now_s() - session.reauth_at;
  return age >= 0 && age <= deps.policies.step_up_window.count();
}

core::Status confirm_identity(Deps& deps, const store::UserRow& user, const store::SessionRow& session,
                              std::string_view password, std::string_view code, const Origin& origin) {
  // A password alone must not stand in for a factor the policy requires (an account from before
  // the policy, not yet enrolled): it sets one up first.
  if (!user.totp_enabled && mfa_required_for(deps, user.role))
    return core::Status::error("mfa_setup_required", "Set up an authenticator first: your role requires one.");
  auto subject = subject_of(user.email);
  bool locked = true;  // a store that cannot say fails closed
  (void)deps.db.view([&](store::Tx& tx) {
    locked = throttle_for(deps, tx, subject, origin.ip).address_locked;
    return core::Status::ok();
  });
  // Verified even when locked, so the answer's timing does not tell a lockout from a wrong password.
  bool password_ok = verify_password(password, user.password_hash, deps.policies.argon2).ok;
  std::optional<FactorAttempt> factor;
  if (user.totp_enabled) {
    auto a = prepare_factor(deps, user, code);
    if (!a) return a.status();
    factor = std::move(*a);
  }
  std::string failure;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    // Again inside the writer: concurrent attempts must not each get a guess past the limit.
    locked = locked || throttle_for(deps, tx, subject, origin.ip).address_locked;
    // The code is consumed only after the password matched, so a wrong password wastes no code.
    bool code_ok = !factor || (password_ok && !locked && consume_factor(tx, *factor, now));
    failure = locked ? "locked" : !password_ok ? "password_wrong" : !code_ok ? "mfa_code_invalid" : "";
    auto e = user_event("session.step_up", user.id, user.email, origin);
    e.target = "session:" + session.id.str();
    if (!failure.empty()) {
      if (!locked) record_auth_failure(deps, tx, user.id, subject, factor && password_ok ? "mfa" : "password", origin);
      e.outcome = "failure";
      e.details_json = R"({"reason":")" + failure + "\"}";
    } else {
      store::sessions::set_reauth(tx, session.id, now);
      e.details_json = std::string(R"({"second_factor":)") + (factor ? "true" : "false") + "}";
    }
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  if (failure == "locked")
    return core::Status::error("locked", "Too many failed attempts from this address. Try again later.");
  if (failure == "password_wrong") return core::Status::error("password_wrong", "The password is not right.");
  if (failure == "mfa_code_invalid")
    return core::Status::error("mfa_code_invalid", "That code is not right, or it was used already.");
  return core::Status::ok();
}

}  // namespace airlock::identity
