#pragma once
// Step-up (ASVS V7.5.1, V7.5.3): before an action that changes how the user proves who they are,
// mints a credential or grants power (MFA enrolment, backup-code regeneration, access-token
// creation, role and ownership changes, password-reset links), the session must have seen the
// password and, when MFA is on, a second-factor code within Policies::step_up_window (5 min).
// Signing in counts as one (sessions.reauth_at starts at the session's creation). A failed
// confirmation counts towards lockout like a failed sign-in, and both outcomes are audited.
#include <string_view>

#include "core/result.h"
#include "identity/service.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {

// Whether `session` proved password (and code) recently enough for a sensitive action.
bool stepped_up(const Deps& deps, const store::SessionRow& session);

// Confirms password and (when MFA is on) `code`, then marks the session as stepped up. Errors:
// "password_wrong", "mfa_code_invalid", "locked" (this address is locked out of the account),
// "mfa_setup_required" (the policy requires MFA for the role and the user has none yet).
core::Status confirm_identity(Deps& deps, const store::UserRow& user, const store::SessionRow& session,
                              std::string_view password, std::string_view code, const Origin& origin);

}  // namespace airlock::identity
