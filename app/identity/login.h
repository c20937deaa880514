#pragma once
// Password login with lockout. Every failure looks the same from outside ("invalid e-mail or
// password", same timing: unknown users get a dummy argon2 verification). `lockout_failures`
// password or MFA failures within `lockout_window` lock the account for `lockout_duration`;
// while locked even the right password gets the same generic error. Admins can unlock.
#include <string>

#include "core/result.h"
#include "identity/service.h"
#include "identity/sessions.h"

namespace airlock::identity {

struct LoginResult {
  NewSession session;
  bool mfa_pending = false;  // the session may only reach the MFA step (or enrolment)
};

// Error "invalid_credentials" for every failure.
core::Result<LoginResult> login_with_password(Deps& deps, std::string_view email, std::string_view password,
                                              const Origin& origin);

// Records a failed attempt of `kind` ("password" or "mfa") and locks the account when the window
// is full. Returns true if this failure locked it. Runs inside the caller's transaction.
bool record_auth_failure(Deps& deps, store::Tx& tx, std::optional<core::UserId> user, const std::string& kind,
                         const Origin& origin);

core::Status generic_login_error();

}  // namespace airlock::identity
