#pragma once
// Administering other users: invite by one-time link, change role, deactivate and reactivate,
// reset MFA, unlock. No mail server: the invite link is returned once to the inviting admin, who
// passes it on; only SHA-256 of its 256-bit token is stored, it expires after
// Policies::invite_lifetime (72 h) and works once.
//
// Who may do what (README "Roles"):
//   owner   every user, every role, including granting and removing ownership;
//   admin   users below owner: may invite or set admin, editor, viewer; never touches an owner;
//   editor, viewer: nothing here (refused with "forbidden").
// Nobody changes their own role, deactivates themselves or resets their own MFA here (the
// account page is where a user manages their own factor). The last active owner can be neither
// demoted nor deactivated. The actor is read again inside the write job, so a decision is made on
// the state it commits against: an admin demoted a moment ago, or two owners demoting each other
// at once, cannot slip through on a stale row.
//
// Role change, deactivation and MFA reset end all of the target's sessions and revoke their
// access tokens in the same transaction, so the change holds from the target's next request.
// Every change and every refused attempt (outcome "denied") is audited with actor, target, IP,
// user agent, request id and before/after values; never a token, hash or secret.
//
// Error codes (stable; messages are safe to show): "forbidden", "owner_only", "self_change",
// "last_owner", "user_not_found", "email_invalid", "email_taken", "invite_invalid",
// "role_invalid", plus the password policy's codes from accept_invite. Thread-safe: all state is
// in the store, whose single writer serialises the changes.
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "identity/password_reset.h"
#include "identity/role.h"
#include "identity/service.h"
#include "store/users_repo.h"

namespace airlock::identity {

struct CreatedInvite {
  std::string token;  // shown once to the inviting admin; never stored or logged
  core::TokenId id;
  std::string email;
  Role role = Role::kViewer;
  std::int64_t expires_at = 0;  // unix seconds
};

struct InviteInfo {
  std::string email;
  Role role = Role::kViewer;
  std::int64_t expires_at = 0;
};

// A user as the users page shows them: no hashes, no secrets.
struct UserSummary {
  core::UserId id;
  std::string email;
  Role role = Role::kViewer;
  bool active = true;
  bool mfa = false;
  bool locked = false;
  std::int64_t created_at = 0;
};

// Invites `email` with `role`. Refuses an e-mail that already belongs to a user ("email_taken"),
// an owner invite from a non-owner ("owner_only").
core::Result<CreatedInvite> invite_user(Deps& deps, const store::UserRow& actor, std::string_view email, Role role,
                                        const Origin& origin);

// The invite behind `token` when it can be accepted right now (for showing the form), else nullopt.
std::optional<InviteInfo> invite_usable(Deps& deps, std::string_view token);

// Creates the invited user with the e-mail and role from the invite and the chosen password.
// "invite_invalid" when the token is unknown, used, expired, or its inviter may no longer grant
// the role (deactivated or demoted since). Of concurrent acceptances of one invite exactly one
// creates a user. A refused password leaves the invite usable.
core::Result<core::UserId> accept_invite(Deps& deps, std::string_view token, std::string_view password,
                                         const Origin& origin);

core::Status change_role(Deps& deps, const store::UserRow& actor, core::UserId target, Role role,
                         const Origin& origin);
// Deactivating also ends every session and access token; reactivating starts nothing.
core::Status set_active(Deps& deps, const store::UserRow& actor, core::UserId target, bool active,
                        const Origin& origin);
// Clears the TOTP secret, its enabled flag and last step, and every backup code; the user sets
// up a new authenticator at their next sign-in if MFA is required, or from the account page.
core::Status reset_mfa(Deps& deps, const store::UserRow& actor, core::UserId target, const Origin& origin);
// Ends a lockout now and forgets the failures inside the lockout window, so the next wrong
// password does not lock the account again at once.
core::Status unlock(Deps& deps, const store::UserRow& actor, core::UserId target, const Origin& origin);

// A one-time password-reset link for `target` (identity/password_reset.h), returned once to the
// issuing admin. Not for oneself: the account page changes one's own password.
core::Result<CreatedReset> issue_password_reset(Deps& deps, const store::UserRow& actor, core::UserId target,
                                                const Origin& origin);
// Signs `target` out everywhere (ASVS V7.4.5): every session ends and every access token is
// revoked; the account stays active.
core::Status revoke_sessions(Deps& deps, const store::UserRow& actor, core::UserId target, const Origin& origin);
// Signs out everyone the actor may manage (an owner: every user; an admin: every non-owner),
// the actor's other sessions included, but never `keep` (the session asking). Returns how many ended.
core::Result<int> revoke_all_sessions(Deps& deps, const store::UserRow& actor, core::SessionId keep,
                                      const Origin& origin);

// Every user, oldest first. Empty on a store error (the page then shows an empty table).
core::Result<std::vector<UserSummary>> list_users(Deps& deps);

}  // namespace airlock::identity
