#pragma once
// Rules for a new password: NIST SP 800-63B §3.1.1.2 and OWASP ASVS V6.2. Length and lists only,
// no composition rules (V6.2.5).
#include <string_view>

#include "core/result.h"

namespace airlock::identity {

struct Deps;

// Checks, in this order, stopping at the first failure (its code is stable, its message user-facing):
//   "password_invalid_utf8"      not well-formed UTF-8 (overlong, surrogate, > U+10FFFF, truncated)
//   "password_too_short"         fewer than 12 code points
//   "password_too_long"          more than 128 code points
//   "password_common"            on the embedded common-password list (ASCII case-insensitive)
//   "password_contains_product"  contains "airlock" (ASCII case-insensitive)
//   "password_contains_email"    contains the local part of `email`, if that is 3+ characters
// Length comes first: nearly all common passwords are shorter than 12, and "use at least 12
// characters" tells the user more than "too common". Makes no copy of the password that outlives
// the call.
core::Status check_password_policy(std::string_view password, std::string_view email);

// What every path that sets a password calls: check_password_policy, then, when
// AIRLOCK_BREACHED_PASSWORDS_DIR is set, the breached-password list (ASVS V6.2.12):
//   "password_breached"          its SHA-1 is in the operator's Have I Been Pwned range files
// The list comes last: it costs a file read, and the rules above answer most weak passwords.
core::Status check_new_password(const Deps& deps, std::string_view password, std::string_view email);

}  // namespace airlock::identity
