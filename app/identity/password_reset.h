#pragma once
// Account recovery without a mail server (ASVS V6.4.3). An admin (users_admin.h) or an operator on
// the host (`airlock user reset-password`) makes a one-time reset link for one user and hands it
// over like an invite. The link's 256-bit token is stored as SHA-256 only, lasts at most
// Policies::reset_lifetime (1 h), works once, and a newer link for the same user voids older ones.
// It replaces the password only: a user with MFA on must still give a current TOTP code or an
// unused backup code, and wrong codes count towards lockout like at sign-in. A reset ends every
// session and access token of the user, clears their lockout, and is audited; so is every issue.
// A link made by an admin stops working if that admin could no longer issue it (deactivated,
// demoted, or the target has become an owner while the issuer is not one).
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/result.h"
#include "identity/service.h"
#include "store/tx.h"

namespace airlock::identity {

struct CreatedReset {
  std::string token;  // shown once; never stored or logged
  core::TokenId id;
  std::string email;
  std::int64_t expires_at = 0;  // unix seconds
  bool mfa = false;             // the user has MFA on: the link will ask for a code
};

struct ResetInfo {
  core::UserId user;
  std::string email;
  bool mfa = false;  // the form must ask for a code
  std::int64_t expires_at = 0;
};

// Inside the caller's write job: voids the user's older links, stores the new one, fills `out`
// (except the audit event, which the caller writes with its own actor).
void insert_reset_link(Deps& deps, store::Tx& tx, core::UserId user, const std::string& email,
                       std::optional<core::UserId> issued_by, std::int64_t now, CreatedReset& out);

// `airlock user reset-password`: for any active user by e-mail; actor "cli". Error "user_not_found".
core::Result<CreatedReset> issue_reset_on_host(Deps& deps, std::string_view email);

// The link's user when it can be used right now (for showing the form), else nullopt.
std::optional<ResetInfo> reset_usable(Deps& deps, std::string_view token);

// Sets the new password. Errors: "reset_invalid" (unknown, used, expired, issuer no longer
// entitled, user deactivated), "mfa_code_invalid", "password_mismatch" is the caller's, and the
// password policy's codes. A refused password or code leaves the link usable.
core::Status complete_password_reset(Deps& deps, std::string_view token, std::string_view password,
                                     std::string_view code, const Origin& origin);

}  // namespace airlock::identity
