#pragma once
// Checking a user's second factor (a TOTP code or an unused backup code) wherever one is asked for:
// the MFA step at sign-in, turning MFA off, step-up, and password reset. The slow or secret-bearing
// half (opening the TOTP secret, computing codes, the argon2id checks of backup codes) runs before
// the write job, so the store's one writer never waits on argon2; the half that must be atomic
// (advancing the last accepted TOTP step, marking the matched backup code used by its id) runs
// inside it, so a code is accepted at most once even by two concurrent requests.
#include <optional>
#include <string>

#include "core/result.h"
#include "identity/service.h"
#include "identity/totp.h"
#include "store/tx.h"
#include "store/users_repo.h"

namespace airlock::identity {

struct FactorAttempt {
  core::UserId user;
  std::optional<TotpCheck> totp;  // set when the code looked like a TOTP code
  std::string backup;             // the normalised backup code otherwise (empty when malformed)
  std::optional<std::int64_t> backup_id;  // the unused backup code it matched, if any
};

// Reads `code` for `user` (who must have MFA on). Fails only when the TOTP secret cannot be opened
// or the backup codes cannot be read.
core::Result<FactorAttempt> prepare_factor(Deps& deps, const store::UserRow& user, std::string_view code);
// Inside the write job: consumes the code. False when it is wrong, used, or replayed.
bool consume_factor(store::Tx& tx, const FactorAttempt& attempt, std::int64_t now);

// The TOTP secret field's place and purpose (mfa.cpp seals it; prepare_factor opens it).
inline constexpr const char* kTotpPurpose = "totp-secret";
crypto::FieldPlace totp_place(core::UserId id);

}  // namespace airlock::identity
