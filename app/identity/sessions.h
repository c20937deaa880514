#pragma once
// Server-side sessions: a 256-bit random token in the cookie, SHA-256 of it in the database.
// Idle and absolute timeouts are enforced on every lookup; a session of a deactivated user is
// dead on its next request. A new token is issued at login and again after the MFA step, so a
// token seen before authentication is never the one that carries it (no fixation).
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/result.h"
#include "identity/service.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {

struct NewSession {
  std::string token;  // goes into the cookie, nowhere else
  core::SessionId id;
  std::string csrf_token;
};

struct ActiveSession {
  store::SessionRow session;
  store::UserRow user;
};

// Starts a session inside the caller's transaction (so it commits with the login's audit event).
// `signed_in`: the user just proved every factor they have (a full sign-in), which counts as a
// step-up; false for a session that only replaces another (password change).
NewSession start_session(Deps& deps, store::Tx& tx, core::UserId user, bool mfa_done, const Origin& origin,
                         bool signed_in = true);

// The live session for a cookie token, or nothing (unknown, ended, idle, too old, user inactive).
// An expired one is ended on the way, with the reason recorded. Nothing too when the store could
// not be read; then `*unreadable` is set, so the caller can tell "try again" from "signed out".
std::optional<ActiveSession> resolve_session(Deps& deps, std::string_view token, bool* unreadable = nullptr);

core::Status end_session(Deps& deps, core::SessionId id, const std::string& reason);

struct AccessEnded {
  int sessions = 0;
  int tokens = 0;
};
// "All of a user's sessions and tokens end at once", inside the caller's transaction: every open
// session ends, every access token is revoked, and every unused password-reset link is voided (a
// link made before the change must not outlive it). For password change and reset, role change,
// deactivation, MFA reset and signing a user out, from the console and the host alike.
AccessEnded end_all_access(store::Tx& tx, core::UserId user, std::int64_t now, const std::string& reason);

}  // namespace airlock::identity
