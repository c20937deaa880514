#include "identity/mfa.h"

#include "identity/lockout.h"

#include <SQLiteCpp/Statement.h>

#include "identity/audit_events.h"
#include "identity/backup_codes.h"
#include "identity/login.h"
#include "identity/second_factor.h"
#include "identity/totp.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {
namespace {

constexpr const char* kIssuer = "Airlock";


std::optional<store::UserRow> load_user(Deps& deps, core::UserId id) {
  std::optional<store::UserRow> u;
  (void)deps.db.view([&](store::Tx& tx) {
    u = store::users::find_by_id(tx, id);
    return core::Status::ok();
  });
  return u;
}

core::Result<core::SecretBytes> open_secret(Deps& deps, const store::UserRow& u) {
  if (!u.totp_secret) return core::Status::error("mfa_not_pending", "No authenticator is being set up.");
  return deps.fields.open(kTotpPurpose, totp_place(u.id), *u.totp_secret);
}

// Stores already-hashed codes (argon2 per code, done outside the writer), replacing the old set.
void store_backup_codes(store::Tx& tx, core::UserId user, const std::vector<std::string>& hashes) {
  SQLite::Statement del(tx.db(), "DELETE FROM backup_codes WHERE user_id = ?");
  del.bind(1, user.value);
  del.exec();
  for (const auto& h : hashes) {
    SQLite::Statement ins(tx.db(), "INSERT INTO backup_codes (user_id, code_hash) VALUES (?, ?)");
    ins.bind(1, user.value);
    ins.bind(2, h);
    ins.exec();
  }
}

core::Result<std::pair<std::vector<std::string>, std::vector<std::string>>> make_codes(Deps& deps) {
  auto codes = generate_backup_codes(deps.random);
  std::vector<std::string> hashes;
  for (const auto& c : codes) {
    auto h = hash_backup_code(normalize_backup_code(c), deps.random);
    if (!h) return h.status();
    hashes.push_back(*h);
  }
  return std::make_pair(codes, hashes);
}

}  // namespace

core::Result<Enrolment> begin_totp_enrolment(Deps& deps, core::UserId user, core::SessionId session,
                                             const Origin& origin) {
  auto u = load_user(deps, user);
  if (!u) return core::Status::error("not_found", "No such user.");
  if (u->totp_enabled) return core::Status::error("mfa_already_enabled", "An authenticator is already set up.");
  auto secret = new_totp_secret(deps.random);
  auto token = deps.fields.seal(kTotpPurpose, totp_place(user), secret.bytes());
  if (!token) return token.status();
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    store::users::set_totp_enrolment(tx, user, *token, session.value, now + kEnrolmentLifetime.count(), now);
    audit::append(tx, user_event("mfa.enrolment_started", user, u->email, origin), audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return Enrolment{base32_encode(secret.bytes()), otpauth_uri(kIssuer, u->email, secret.bytes())};
}

bool enrolling_in(const Deps& deps, const store::UserRow& u, core::SessionId session) {
  return !u.totp_enabled && u.totp_secret && u.totp_enrol_session == session.value &&
         deps.now_s() < u.totp_enrol_expires_at;
}

std::optional<Enrolment> pending_totp_enrolment(Deps& deps, core::UserId user, core::SessionId session) {
  auto u = load_user(deps, user);
  if (!u || !enrolling_in(deps, *u, session)) return std::nullopt;
  auto secret = open_secret(deps, *u);
  if (!secret) return std::nullopt;
  return Enrolment{base32_encode(secret->bytes()), otpauth_uri(kIssuer, u->email, secret->bytes())};
}

core::Result<std::vector<std::string>> confirm_totp_enrolment(Deps& deps, core::UserId user, core::SessionId session,
                                                              std::string_view code, const Origin& origin) {
  auto not_pending = core::Status::error("mfa_not_pending", "No authenticator is being set up.");
  auto u = load_user(deps, user);
  if (!u || !enrolling_in(deps, *u, session)) return not_pending;
  auto secret = open_secret(deps, *u);
  if (!secret) return secret.status();
  auto check = verify_totp(secret->bytes(), code, deps.clock.system_now(), u->totp_last_step);
  if (!check.ok) return core::Status::error("mfa_code_invalid", "That code is not right. Check the time on your device and try again.");
  auto codes = make_codes(deps);
  if (!codes) return codes.status();
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    // Still the secret this session checked: another session may have begun a new one meanwhile.
    auto fresh = store::users::find_by_id(tx, user);
    if (!fresh || fresh->totp_secret != u->totp_secret || !enrolling_in(deps, *fresh, session)) return not_pending;
    store::users::set_totp(tx, user, *u->totp_secret, true, now);
    store::users::advance_totp_step(tx, user, check.step);
    store_backup_codes(tx, user, codes->second);
    audit::append(tx, user_event("mfa.enrolled", user, u->email, origin), audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return codes->first;
}

core::Result<NewSession> complete_mfa_step(Deps& deps, const store::SessionRow& pending, std::string_view code,
                                           const Origin& origin, std::chrono::milliseconds* delay) {
  auto invalid = core::Status::error("mfa_code_invalid",
                                     "That code is not right, or it was used already. Wait for the next code and try again.");
  auto u = load_user(deps, pending.user_id);
  if (!u || !u->active || !u->totp_enabled) return invalid;
  auto now = deps.now_s();
  bool locked = true;  // a store that cannot say fails closed
  (void)deps.db.view([&](store::Tx& tx) {
    locked = throttle_for(deps, tx, subject_of(u->email), origin.ip).address_locked;
    return core::Status::ok();
  });
  auto attempt = prepare_factor(deps, *u, code);
  if (!attempt) return attempt.status();
  NewSession fresh;
  bool ok = false;
  auto s = deps.db.write([&](store::Tx& tx) {
    // The pending session may have ended while the code was checked (a concurrent fifth failure,
    // a sign-out): then the right code finishes nothing.
    if (!store::sessions::is_open(tx, pending.id)) return core::Status::ok();
    if (!locked) ok = consume_factor(tx, *attempt, now);
    if (!ok) {
      auto subject = subject_of(u->email);
      bool now_locked = !locked && record_auth_failure(deps, tx, u->id, subject, "mfa", origin);
      if (locked || now_locked) store::sessions::end(tx, pending.id, now, "locked");
      else if (account_failures_since(tx, subject, pending.created_at - 1) >= deps.policies.lockout_failures)
        store::sessions::end(tx, pending.id, now, "mfa_failures");
      if (delay) *delay = throttle_for(deps, tx, subject, origin.ip).delay;
      auto e = user_event("login.mfa", u->id, u->email, origin);
      e.outcome = "failure";
      e.details_json = locked ? R"({"reason":"locked"})" : R"({"reason":"wrong_code"})";
      audit::append(tx, e, audit_time(deps));
      return core::Status::ok();
    }
    store::sessions::end(tx, pending.id, now, "mfa_completed");
    fresh = start_session(deps, tx, u->id, true, origin);
    auto e = user_event(attempt->totp ? "login.mfa" : "login.backup_code", u->id, u->email, origin);
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  if (!ok) return invalid;
  return fresh;
}

core::Result<std::vector<std::string>> regenerate_backup_codes(Deps& deps, core::UserId user, const Origin& origin) {
  auto u = load_user(deps, user);
  if (!u || !u->totp_enabled) return core::Status::error("mfa_not_enabled", "Set up an authenticator first.");
  auto codes = make_codes(deps);
  if (!codes) return codes.status();
  auto s = deps.db.write([&](store::Tx& tx) {
    store_backup_codes(tx, user, codes->second);
    audit::append(tx, user_event("mfa.backup_codes_regenerated", user, u->email, origin), audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return codes->first;
}

core::Result<NewSession> upgrade_session(Deps& deps, const store::SessionRow& pending, const Origin& origin) {
  NewSession fresh;
  auto s = deps.db.write([&](store::Tx& tx) {
    store::sessions::end(tx, pending.id, deps.now_s(), "mfa_completed");
    fresh = start_session(deps, tx, pending.user_id, true, origin);
    return core::Status::ok();
  });
  if (!s) return s;
  return fresh;
}

core::Status disable_totp(Deps& deps, const store::UserRow& user, std::string_view password, std::string_view code,
                          const Origin& origin) {
  if (!user.totp_enabled) return core::Status::error("mfa_not_enabled", "Two-factor authentication is off already.");
  if (mfa_required_for(deps, user.role))
    return core::Status::error("mfa_required_by_policy",
                               role_at_least(user.role, Role::kAdmin)
                                   ? "Owners and admins must use two-factor authentication."
                                   : "The owner requires two-factor authentication for every account.");
  bool password_ok = verify_password(password, user.password_hash, deps.policies.argon2).ok;
  auto attempt = prepare_factor(deps, user, code);
  if (!attempt) return attempt.status();
  bool ok = false;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    bool code_ok = consume_factor(tx, *attempt, now);
    if (!password_ok || !code_ok) {
      record_auth_failure(deps, tx, user.id, subject_of(user.email), "mfa", origin);
      auto e = user_event("mfa.disable", user.id, user.email, origin);
      e.outcome = "failure";
      audit::append(tx, e, audit_time(deps));
      return core::Status::ok();
    }
    ok = true;
    store::users::set_totp(tx, user.id, std::nullopt, false, now);
    store_backup_codes(tx, user.id, {});
    audit::append(tx, user_event("mfa.disabled", user.id, user.email, origin), audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  if (!ok)
    return password_ok ? core::Status::error("mfa_code_invalid", "That code is not right.")
                       : core::Status::error("password_wrong", "The password is not right.");
  return core::Status::ok();
}

bool mfa_required(store::Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT value FROM settings WHERE key = 'require_mfa'");
  // Unset means the default: required. Only an owner's explicit "false" relaxes it.
  return !q.executeStep() || q.getColumn(0).getString() != "false";
}

bool mfa_required(Deps& deps) {
  bool required = true;  // a store that cannot say fails closed: the stricter policy
  (void)deps.db.view([&](store::Tx& tx) {
    required = mfa_required(tx);
    return core::Status::ok();
  });
  return required;
}

bool mfa_required_for(Deps& deps, Role role) { return role_at_least(role, Role::kAdmin) || mfa_required(deps); }
bool mfa_required_for(store::Tx& tx, Role role) { return role_at_least(role, Role::kAdmin) || mfa_required(tx); }

core::Status set_mfa_required(Deps& deps, bool required, core::UserId by, const std::string& by_email,
                              const Origin& origin) {
  return deps.db.write([&](store::Tx& tx) {
    bool before = mfa_required(tx);  // in the write: two owners' changes at once each see the other's
    SQLite::Statement q(tx.db(),
                        "INSERT INTO settings (key, value, updated_at) VALUES ('require_mfa', ?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    q.bind(1, required ? "true" : "false");
    q.bind(2, audit_time(deps));
    q.exec();
    // Turning it on reaches sessions already open: those of accounts without a factor end, and
    // the next sign-in (password first) leads to enrolment. Waiting for them to time out would
    // leave the policy unenforced for hours; holding them at enrolment instead would let a stolen
    // cookie alone bind the thief's authenticator to the account.
    int ended = required ? store::sessions::end_all_without_factor(tx, deps.now_s(), "mfa_required") : 0;
    auto e = user_event("settings.change", by, by_email, origin);
    e.target = "setting:require_mfa";
    e.details_json = std::string(R"({"before":)") + (before ? "true" : "false") + R"(,"after":)" +
                     (required ? "true" : "false") + R"(,"sessions_ended_for_mfa":)" + std::to_string(ended) + "}";
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
}

}  // namespace airlock::identity
