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
// An expired one is ended on the way, with the reason recorded.
std::optional<ActiveSession> resolve_session(Deps& deps, std::string_view token);

core::Status end_session(Deps& deps, core::SessionId id, const std::string& reason);

}  // namespace airlock::identity
