#pragma once
// The second factor: TOTP enrolment (activated only by a valid code), the MFA step after the
// password, and backup codes. The TOTP secret is stored with field encryption bound to
// users:totp_secret:<id>. Finishing the MFA step replaces the session (new token, the old one is
// ended), so the pre-MFA token is never the one that carries the full sign-in.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "identity/role.h"
#include "identity/service.h"
#include "identity/sessions.h"

namespace airlock::identity {

struct Enrolment {
  std::string secret_base32;  // for typing into an app
  std::string otpauth_uri;    // for the QR code
};

// How long a pending enrolment secret may be confirmed.
inline constexpr std::chrono::seconds kEnrolmentLifetime{10 * 60};

// Starts (or restarts) enrolment for `session`: a fresh secret replaces any earlier pending one,
// whichever session began it. Refuses ("mfa_already_enabled") when TOTP is already on.
core::Result<Enrolment> begin_totp_enrolment(Deps& deps, core::UserId user, core::SessionId session,
                                             const Origin& origin);
// True while `session` may see and confirm the user's pending secret (it began the enrolment, and
// the secret has not expired).
bool enrolling_in(const Deps& deps, const store::UserRow& user, core::SessionId session);
// The pending enrolment's details again (page reload) for the session that began it, while it has
// not expired; nullopt otherwise (another session's secret is never shown).
std::optional<Enrolment> pending_totp_enrolment(Deps& deps, core::UserId user, core::SessionId session);

// Turns TOTP on when `code` is valid for the secret `session` was shown, within its lifetime;
// returns the new backup codes (shown once). Errors: "mfa_not_pending", "mfa_code_invalid".
core::Result<std::vector<std::string>> confirm_totp_enrolment(Deps& deps, core::UserId user, core::SessionId session,
                                                              std::string_view code, const Origin& origin);

// The MFA step for a session whose password was accepted. `code` is a 6-digit TOTP code or a
// backup code. On success the pending session is ended and a full one returned. Failures count
// towards lockout; error "mfa_code_invalid" for every failure. `lockout_failures` failures on the
// account since the pending session began (from any address) end that session: the password is
// asked again. `*delay` gets the account's growing delay, as at the password step (lockout.h).
core::Result<NewSession> complete_mfa_step(Deps& deps, const store::SessionRow& pending, std::string_view code,
                                           const Origin& origin, std::chrono::milliseconds* delay = nullptr);

// Turns the user's own TOTP off; needs the password and a current code (or a backup code).
// Refused ("mfa_required_by_policy") while the policy requires MFA for the user's role. Errors:
// "password_wrong", "mfa_code_invalid".
core::Status disable_totp(Deps& deps, const store::UserRow& user, std::string_view password, std::string_view code,
                          const Origin& origin);

// After a forced enrolment during sign-in: ends the pending session and returns a full one.
core::Result<NewSession> upgrade_session(Deps& deps, const store::SessionRow& pending, const Origin& origin);

// Replaces the backup codes (the old set stops working) and returns the new ones.
core::Result<std::vector<std::string>> regenerate_backup_codes(Deps& deps, core::UserId user, const Origin& origin);

// MFA policy (ASVS V6.3.3): always required for owners and admins; for editors and viewers as the
// owner sets it (settings "require_mfa"), required unless the owner relaxed it.
bool mfa_required(Deps& deps);  // the editor/viewer setting
bool mfa_required_for(Deps& deps, Role role);
// The same, read inside a write: what a decision committed in it must agree with.
bool mfa_required(store::Tx& tx);
bool mfa_required_for(store::Tx& tx, Role role);
// Turning it on ends the open sessions of accounts without a factor.
core::Status set_mfa_required(Deps& deps, bool required, core::UserId by, const std::string& by_email,
                              const Origin& origin);

}  // namespace airlock::identity
