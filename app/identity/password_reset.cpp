#include "identity/password_reset.h"

#include <nlohmann/json.hpp>

#include "identity/audit_events.h"
#include "identity/email.h"
#include "identity/lockout.h"
#include "identity/password_policy.h"
#include "identity/role.h"
#include "identity/second_factor.h"
#include "identity/sessions.h"
#include "store/one_time_tokens_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {
namespace {

using nlohmann::json;

constexpr const char* kReset = "reset";

core::Status reset_invalid() {
  return core::Status::error("reset_invalid", "This password-reset link is not valid any more.");
}

// The user a usable link is for, re-checked against who issued it: an admin's link dies with
// the admin's right to issue it. A host-issued link (no issuer) needs only an active user.
std::optional<store::UserRow> link_user(store::Tx& tx, const store::OneTimeTokenRow& row) {
  if (!row.user_id) return std::nullopt;
  auto user = store::users::find_by_id(tx, *row.user_id);
  if (!user || !user->active) return std::nullopt;
  if (!row.created_by) return user;
  auto issuer = store::users::find_by_id(tx, *row.created_by);
  if (!issuer || !issuer->active || !role_at_least(issuer->role, Role::kAdmin)) return std::nullopt;
  // Only for someone below the issuer (owners: anyone): an admin taking over another admin's
  // account through a reset would act under that admin's name.
  if (issuer->role != Role::kOwner && role_at_least(user->role, issuer->role)) return std::nullopt;
  return user;
}

}  // namespace

void insert_reset_link(Deps& deps, store::Tx& tx, core::UserId user, const std::string& email,
                       std::optional<core::UserId> issued_by, std::int64_t now, CreatedReset& out) {
  auto secret = new_secret(deps.random);
  store::one_time_tokens::void_unused_for_user(tx, kReset, user, now);
  out.email = email;
  out.expires_at = now + deps.policies.reset_lifetime.count();
  out.id = store::one_time_tokens::insert(tx, kReset, secret.hash, email, std::nullopt, issued_by, now, out.expires_at,
                                          user);
  out.token = std::move(secret.token);
}

core::Result<CreatedReset> issue_reset_on_host(Deps& deps, std::string_view email_raw) {
  auto email = normalize_email(email_raw);
  if (!email) return core::Status::error("email_invalid", "Enter a valid e-mail address.");
  CreatedReset made;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto user = store::users::find_by_email(tx, *email);
    if (!user || !user->active) return core::Status::error("user_not_found", "No active user has this e-mail.");
    auto now = deps.now_s();
    insert_reset_link(deps, tx, user->id, user->email, std::nullopt, now, made);
    made.mfa = user->totp_enabled;
    audit::append(tx,
                  {.action = "user.password_reset_link", .actor = "cli", .target = "user:" + user->id.str(),
                   .details_json = json{{"email", user->email}, {"link", made.id.value}, {"expires_at", made.expires_at}}
                                       .dump()},
                  audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return made;
}

std::optional<ResetInfo> reset_usable(Deps& deps, std::string_view token) {
  auto hash = issued_secret_hash(token);
  if (!hash) return std::nullopt;
  std::optional<ResetInfo> info;
  auto s = deps.db.view([&](store::Tx& tx) {
    auto row = store::one_time_tokens::find_usable(tx, kReset, *hash, deps.now_s());
    auto user = row ? link_user(tx, *row) : std::nullopt;
    if (user) info = ResetInfo{user->id, user->email, user->totp_enabled, row->expires_at};
    return core::Status::ok();
  });
  if (!s) return std::nullopt;
  return info;
}

core::Status complete_password_reset(Deps& deps, std::string_view token, std::string_view password,
                                     std::string_view code, const Origin& origin) {
  auto issued = issued_secret_hash(token);
  if (!issued) return reset_invalid();
  const auto& token_hash = *issued;
  // One read for the link, its user (the full row: the TOTP secret is needed) and the lockout.
  std::optional<store::UserRow> found;
  bool locked = true;  // a store that cannot say fails closed
  (void)deps.db.view([&](store::Tx& tx) {
    auto row = store::one_time_tokens::find_usable(tx, kReset, token_hash, deps.now_s());
    found = row ? link_user(tx, *row) : std::nullopt;
    if (found) locked = throttle_for(deps, tx, subject_of(found->email), origin.ip).address_locked;
    return core::Status::ok();
  });
  if (!found) return reset_invalid();
  const store::UserRow& user = *found;
  auto subject = subject_of(user.email);
  if (auto s = check_new_password(deps, password, user.email); !s) return s;
  std::optional<FactorAttempt> factor;
  if (user.totp_enabled) {
    auto a = prepare_factor(deps, user, code);
    if (!a) return a.status();
    factor = std::move(*a);
  }
  // Hashing takes ~100 ms: done before the write job so the single writer is not held by it.
  auto hash = hash_password(password, deps.policies.argon2, deps.random);
  if (!hash) return hash.status();
  bool code_ok = true;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    // Re-checked inside the one writer: of two racing uses only the first finds the token.
    auto row = store::one_time_tokens::find_usable(tx, kReset, token_hash, now);
    auto target = row ? link_user(tx, *row) : std::nullopt;
    if (!target || target->id != user.id) return reset_invalid();
    // The factor as committed now: an MFA turned on since the form was read is still asked for.
    if (target->totp_enabled && !factor) return reset_invalid();
    locked = locked || throttle_for(deps, tx, subject, origin.ip).address_locked;
    if (factor) {
      code_ok = !locked && consume_factor(tx, *factor, now);
      if (!code_ok) {
        if (!locked) record_auth_failure(deps, tx, user.id, subject, "mfa", origin);
        auto e = user_event("user.password_reset", user.id, user.email, origin);
        e.outcome = "failure";
        e.details_json = json{{"reason", locked ? "locked" : "wrong_code"}, {"link", row->id.value}}.dump();
        audit::append(tx, e, audit_time(deps));
        return core::Status::ok();  // the failure and its record commit; the link stays usable
      }
    }
    if (!store::one_time_tokens::consume(tx, row->id, now)) return reset_invalid();
    store::users::set_password_hash(tx, user.id, *hash, now);
    auto ended = end_all_access(tx, user.id, now, "password_reset");
    int cleared = clear_lockout(deps, tx, user.id, user.email);
    auto e = user_event("user.password_reset", user.id, user.email, origin);
    e.details_json = json{{"link", row->id.value},
                          {"issued_by", row->created_by ? json(row->created_by->value) : json("cli")},
                          {"second_factor", factor.has_value()},
                          {"sessions_ended", ended.sessions},
                          {"tokens_revoked", ended.tokens},
                          {"failures_cleared", cleared}}
                         .dump();
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  if (!code_ok)
    return core::Status::error("mfa_code_invalid", "That code is not right, or it was used already.");
  return core::Status::ok();
}

}  // namespace airlock::identity
