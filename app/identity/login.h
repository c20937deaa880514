#pragma once
// Password login with lockout (identity/lockout.h: per account and address, plus a growing delay
// per account). Every failure looks the same from outside ("invalid e-mail or password"; unknown
// users get a dummy argon2 verification); an address locked out of an account gets the same error
// even for the right password. Admins and `airlock user unlock` end a lockout.
#include <chrono>
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
// `*delay` (when given) is set, success or not, to how long the caller should wait before it
// answers: the account's growing delay, computed before this attempt.
core::Result<LoginResult> login_with_password(Deps& deps, std::string_view email, std::string_view password,
                                              const Origin& origin, std::chrono::milliseconds* delay = nullptr);

core::Status generic_login_error();

}  // namespace airlock::identity
