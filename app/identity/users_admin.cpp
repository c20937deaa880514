#include "identity/users_admin.h"

#include "identity/lockout.h"

#include <SQLiteCpp/Statement.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/denials.h"
#include "http/error_catalogue.h"
#include "core/log.h"
#include "identity/email.h"
#include "identity/password_policy.h"
#include "identity/sessions.h"
#include "store/one_time_tokens_repo.h"
#include "store/sessions_repo.h"

namespace airlock::identity {
namespace {

using nlohmann::json;

constexpr const char* kInvite = "invite";

std::string at(Deps& deps) { return core::format_time_utc(deps.clock.system_now()); }

core::Status forbidden() { return core::Status::error("forbidden", "Your role does not allow managing users."); }
core::Status owner_only() {
  return core::Status::error("owner_only", "Only an owner can change an owner or grant the owner role.");
}
core::Status invite_invalid() { return core::Status::error("invite_invalid", "This invite link is not valid any more."); }

// Refusals by rule, as opposed to bad input or store errors, are recorded as "denied" events.
bool is_rule_refusal(const core::Status& s) {
  auto kind = http::catalogued(s.code());
  return kind && kind->rule_refusal;
}

audit::Event event(const std::string& action, const store::UserRow& actor, const std::string& target,
                   const Origin& o) {
  return {.action = action, .actor_user = actor.id, .actor = actor.email, .target = target, .ip = o.ip,
          .user_agent = o.user_agent, .request_id = o.request_id};
}

// The refused attempt gets its own small write: the job that refused it rolled back.
void audit_denied(Deps& deps, const store::UserRow& actor, const std::string& action, const std::string& target,
                  const core::Status& why, json request, const Origin& origin) {
  auto e = event(action, actor, target, origin);
  e.outcome = "denied";
  e.details_json = json{{"reason", why.code()}, {"request", std::move(request)}}.dump();
  // A refused admin can retry as fast as they like: beyond the budget the refusal is only counted.
  // Its own budget key: cheap refusals elsewhere (a CSRF failure) cannot use this one up.
  if (deps.denials && !deps.denials->admit("admin-action:user:" + actor.id.str(), e)) return;
  (void)deps.db.write([&](store::Tx& tx) {
    audit::append(tx, e, at(deps));
    return core::Status::ok();
  });
}

// The actor as committed right now; the guard's copy may be a request old.
core::Result<store::UserRow> current_admin(store::Tx& tx, core::UserId id) {
  auto actor = store::users::find_by_id(tx, id);
  if (!actor || !actor->active || !role_at_least(actor->role, Role::kAdmin)) return forbidden();
  return *actor;
}

bool would_remove_last_owner(store::Tx& tx, const store::UserRow& target) {
  return target.role == Role::kOwner && target.active && store::users::count_active_owners(tx) <= 1;
}

// end_all_access (identity/sessions.h), as the audit event's details.
json end_everything(store::Tx& tx, core::UserId user, std::int64_t now, const std::string& reason) {
  auto done = end_all_access(tx, user, now, reason);
  return {{"sessions_ended", done.sessions}, {"tokens_revoked", done.tokens}};
}

// What one change found and did, filled in by the step inside the write job.
struct Change {
  json details = json::object();
  bool changed = true;  // false: already so; nothing written, nothing audited
};
using Step = std::function<core::Status(store::Tx&, const store::UserRow& actor, const store::UserRow& target,
                                        std::int64_t now, Change&)>;

// The frame every change on an existing user shares: actor re-read and checked, target loaded,
// owners protected from non-owners, then `step`, then the audit event, all in one write job.
core::Status admin_change(Deps& deps, const store::UserRow& actor_in, core::UserId target_id,
                          const std::string& action, json request, const Origin& origin, const Step& step) {
  std::string target = "user:" + target_id.str();
  auto s = deps.db.write([&](store::Tx& tx) {
    auto actor = current_admin(tx, actor_in.id);
    if (!actor) return actor.status();
    auto user = store::users::find_by_id(tx, target_id);
    if (!user) return core::Status::error("user_not_found", "No such user.");
    if (user->role == Role::kOwner && actor->role != Role::kOwner) return owner_only();
    auto now = deps.now_s();
    Change change;
    if (auto done = step(tx, *actor, *user, now, change); !done) return done;
    if (!change.changed) return core::Status::ok();
    change.details["email"] = user->email;
    auto e = event(action, *actor, target, origin);
    e.details_json = change.details.dump();
    audit::append(tx, e, at(deps));
    return core::Status::ok();
  });
  if (!s && is_rule_refusal(s)) audit_denied(deps, actor_in, action, target, s, std::move(request), origin);
  return s;
}

// An invite stays good only while its inviter could still grant its role.
bool inviter_may_grant(store::Tx& tx, const store::OneTimeTokenRow& invite) {
  if (!invite.created_by || !invite.email || !invite.role) return false;
  auto inviter = store::users::find_by_id(tx, *invite.created_by);
  if (!inviter || !inviter->active || !role_at_least(inviter->role, Role::kAdmin)) return false;
  return *invite.role != Role::kOwner || inviter->role == Role::kOwner;
}

}  // namespace

core::Result<CreatedInvite> invite_user(Deps& deps, const store::UserRow& actor_in, std::string_view email_raw,
                                        Role role, const Origin& origin) {
  auto email = normalize_email(email_raw);
  if (!email) return core::Status::error("email_invalid", "Enter a valid e-mail address.");
  auto secret = new_secret(deps.random);
  CreatedInvite made{.email = *email, .role = role};
  auto s = deps.db.write([&](store::Tx& tx) {
    auto actor = current_admin(tx, actor_in.id);
    if (!actor) return actor.status();
    if (role == Role::kOwner && actor->role != Role::kOwner) return owner_only();
    if (store::users::find_by_email(tx, *email))
      return core::Status::error("email_taken", "A user with this e-mail exists already.");
    auto now = deps.now_s();
    made.expires_at = now + deps.policies.invite_lifetime.count();
    made.id = store::one_time_tokens::insert(tx, kInvite, secret.hash, *email, role, actor->id, now, made.expires_at);
    auto e = event("user.invite", *actor, "invite:" + made.id.str(), origin);
    e.details_json =
        json{{"email", *email}, {"role", std::string(role_name(role))}, {"expires_at", made.expires_at}}.dump();
    audit::append(tx, e, at(deps));
    return core::Status::ok();
  });
  if (!s) {
    if (is_rule_refusal(s))
      audit_denied(deps, actor_in, "user.invite", "email:" + *email, s,
                   {{"email", *email}, {"role", std::string(role_name(role))}}, origin);
    return s;
  }
  made.token = std::move(secret.token);
  return made;
}

std::optional<InviteInfo> invite_usable(Deps& deps, std::string_view token) {
  auto hash = issued_secret_hash(token);
  if (!hash) return std::nullopt;
  std::optional<InviteInfo> info;
  auto s = deps.db.view([&](store::Tx& tx) {
    auto row = store::one_time_tokens::find_usable(tx, kInvite, *hash, deps.now_s());
    if (row && inviter_may_grant(tx, *row)) info = InviteInfo{*row->email, *row->role, row->expires_at};
    return core::Status::ok();
  });
  if (!s) return std::nullopt;
  return info;
}

core::Result<core::UserId> accept_invite(Deps& deps, std::string_view token, std::string_view password,
                                         const Origin& origin) {
  auto info = invite_usable(deps, token);
  if (!info) return invite_invalid();
  if (auto s = check_new_password(deps, password, info->email); !s) return s;
  // Hashing takes ~100 ms: done before the write job so the single writer is not held by it.
  auto hash = hash_password(password, deps.policies.argon2, deps.random);
  if (!hash) return hash.status();
  core::UserId id;
  auto token_hash = hash_secret(token);
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    // Re-checked inside the one writer: of two racing acceptances only the first finds the token.
    auto row = store::one_time_tokens::find_usable(tx, kInvite, token_hash, now);
    if (!row || !inviter_may_grant(tx, *row) || !store::one_time_tokens::consume(tx, row->id, now))
      return invite_invalid();
    // Someone else may have been given this address since the invite was made.
    if (store::users::find_by_email(tx, *row->email))
      return core::Status::error("email_taken", "A user with this e-mail exists already.");
    id = store::users::insert(tx, *row->email, *hash, *row->role, now);
    audit::append(tx,
                  {.action = "user.invite_accepted", .actor_user = id, .actor = *row->email,
                   .target = "user:" + id.str(), .ip = origin.ip, .user_agent = origin.user_agent,
                   .request_id = origin.request_id,
                   .details_json = json{{"role", std::string(role_name(*row->role))},
                                        {"invite", row->id.value},
                                        {"invited_by", row->created_by->value}}
                                       .dump()},
                  at(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return id;
}

core::Status change_role(Deps& deps, const store::UserRow& actor, core::UserId target, Role role,
                         const Origin& origin) {
  auto name = std::string(role_name(role));
  return admin_change(deps, actor, target, "user.role_change", {{"role", name}}, origin,
                      [&](store::Tx& tx, const store::UserRow& by, const store::UserRow& user, std::int64_t now,
                          Change& c) {
                        if (role == Role::kOwner && by.role != Role::kOwner) return owner_only();
                        if (user.role == role) {
                          c.changed = false;
                          return core::Status::ok();
                        }
                        // Checked before the self rule: for the last owner this is the useful answer.
                        if (role != Role::kOwner && would_remove_last_owner(tx, user))
                          return core::Status::error("last_owner",
                                                     "This is the last owner. Make another user owner first.");
                        if (user.id == by.id)
                          return core::Status::error("self_change", "You cannot change your own role.");
                        store::users::set_role(tx, user.id, role, now);
                        c.details = end_everything(tx, user.id, now, "role_changed");
                        c.details["before"] = {{"role", std::string(role_name(user.role))}};
                        c.details["after"] = {{"role", name}};
                        return core::Status::ok();
                      });
}

core::Status set_active(Deps& deps, const store::UserRow& actor, core::UserId target, bool active,
                        const Origin& origin) {
  return admin_change(deps, actor, target, active ? "user.activate" : "user.deactivate", {{"active", active}}, origin,
                      [&](store::Tx& tx, const store::UserRow& by, const store::UserRow& user, std::int64_t now,
                          Change& c) {
                        if (user.active == active) {
                          c.changed = false;
                          return core::Status::ok();
                        }
                        if (!active && would_remove_last_owner(tx, user))
                          return core::Status::error(
                              "last_owner", "The last owner cannot be deactivated. Make another user owner first.");
                        if (user.id == by.id)
                          return core::Status::error("self_change", "You cannot deactivate yourself.");
                        store::users::set_active(tx, user.id, active, now);
                        if (!active) c.details = end_everything(tx, user.id, now, "user_deactivated");
                        c.details["before"] = {{"active", user.active}};
                        c.details["after"] = {{"active", active}};
                        return core::Status::ok();
                      });
}

core::Status reset_mfa(Deps& deps, const store::UserRow& actor, core::UserId target, const Origin& origin) {
  return admin_change(deps, actor, target, "user.mfa_reset", json::object(), origin,
                      [&](store::Tx& tx, const store::UserRow& by, const store::UserRow& user, std::int64_t now,
                          Change& c) {
                        // A stolen session must not be able to strip its own account's second factor.
                        if (user.id == by.id)
                          return core::Status::error("self_change",
                                                     "Manage your own authenticator under Account security.");
                        int codes = store::users::clear_second_factor(tx, user.id, now);
                        c.details = end_everything(tx, user.id, now, "mfa_reset");
                        c.details["backup_codes_removed"] = codes;
                        c.details["before"] = {{"mfa", user.totp_enabled}};
                        c.details["after"] = {{"mfa", false}};
                        return core::Status::ok();
                      });
}

core::Status unlock(Deps& deps, const store::UserRow& actor, core::UserId target, const Origin& origin) {
  return admin_change(deps, actor, target, "user.unlock", json::object(), origin,
                      [&](store::Tx& tx, const store::UserRow&, const store::UserRow& user, std::int64_t,
                          Change& c) {
                        // Failures inside the window would otherwise lock again at the next mistake.
                        c.details["failures_cleared"] = clear_lockout(deps, tx, user.id, user.email);
                        c.details["before"] = {{"locked_until", user.locked_until}};
                        c.details["after"] = {{"locked_until", 0}};
                        return core::Status::ok();
                      });
}

core::Result<CreatedReset> issue_password_reset(Deps& deps, const store::UserRow& actor, core::UserId target,
                                                const Origin& origin) {
  CreatedReset made;
  auto s = admin_change(deps, actor, target, "user.password_reset_link", json::object(), origin,
                        [&](store::Tx& tx, const store::UserRow& by, const store::UserRow& user, std::int64_t now,
                            Change& c) {
                          if (user.id == by.id)
                            return core::Status::error("self_change", "Change your own password under Account.");
                          if (!user.active)
                            return core::Status::error("user_inactive", "Activate this user first.");
                          if (by.role != Role::kOwner && role_at_least(user.role, by.role))
                            return core::Status::error("forbidden",
                                                       "Only an owner can make a reset link for an admin.");
                          insert_reset_link(deps, tx, user.id, user.email, by.id, now, made);
                          made.mfa = user.totp_enabled;
                          c.details = {{"link", made.id.value}, {"expires_at", made.expires_at}};
                          return core::Status::ok();
                        });
  if (!s) return s;
  return made;
}

core::Status revoke_sessions(Deps& deps, const store::UserRow& actor, core::UserId target, const Origin& origin) {
  return admin_change(deps, actor, target, "user.sessions_revoke", json::object(), origin,
                      [&](store::Tx& tx, const store::UserRow& by, const store::UserRow& user, std::int64_t now,
                          Change& c) {
                        if (user.id == by.id)
                          return core::Status::error("self_change", "End your own sessions under Account.");
                        c.details = end_everything(tx, user.id, now, "revoked_by_admin");
                        return core::Status::ok();
                      });
}

core::Result<int> revoke_all_sessions(Deps& deps, const store::UserRow& actor_in, core::SessionId keep,
                                      const Origin& origin) {
  int ended = 0;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto actor = current_admin(tx, actor_in.id);
    if (!actor) return actor.status();
    bool owners_too = actor->role == Role::kOwner;
    ended = store::sessions::end_all(tx, keep, owners_too, deps.now_s(), "revoked_by_admin");
    auto e = event("sessions.revoke_all", *actor, owners_too ? "sessions:all" : "sessions:non_owners", origin);
    e.details_json = json{{"sessions_ended", ended}, {"owners_included", owners_too}}.dump();
    audit::append(tx, e, at(deps));
    return core::Status::ok();
  });
  if (!s) {
    if (is_rule_refusal(s)) audit_denied(deps, actor_in, "sessions.revoke_all", "sessions:all", s, json::object(), origin);
    return s;
  }
  return ended;
}

core::Result<std::vector<UserSummary>> list_users(Deps& deps) {
  auto now = deps.now_s();
  return deps.db.fetch([&](store::Tx& tx) {
    std::vector<UserSummary> out;
    for (const auto& u : store::users::list_all(tx))
      out.push_back({.id = u.id, .email = u.email, .role = u.role, .active = u.active, .mfa = u.totp_enabled,
                     .locked = u.locked_until > now, .created_at = u.created_at});
    return out;
  });
}

}  // namespace airlock::identity
