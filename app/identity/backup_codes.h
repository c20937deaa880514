#pragma once
// Single-use recovery codes for a user who has lost their authenticator. Each code is 12 symbols of
// Crockford base32 (no I, L, O or U, so nothing reads as another symbol): 60 bits, above the 50 we
// promise (ASVS V6.5.4). Codes are shown once as XXXX-XXXX-XXXX and stored only as argon2id hashes
// with a random salt, since 60 bits is far below what a fast hash could protect (ASVS V6.5.2).
// Thread-safe; hashing and verifying cost about one password hash each.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.h"
#include "core/result.h"

namespace airlock::identity {

inline constexpr int kBackupCodeCount = 10;
inline constexpr std::size_t kBackupCodeSymbols = 12;

// `n` distinct display-form codes ("7K3M-Q9XA-2B4F") drawn from `random` (ASVS V6.5.3).
// REQUIRES: n >= 0.
std::vector<std::string> generate_backup_codes(core::Random& random, int n = kBackupCodeCount);

// What a user typed, in canonical form: upper case, spaces and dashes dropped, and the look-alikes
// O→0 and I/L→1 mapped as Crockford base32 specifies. Returns "" unless the result is exactly 12
// symbols of the alphabet, so callers can refuse without reaching argon2.
std::string normalize_backup_code(std::string_view typed);

// PHC string ($argon2id$v=19$m=19456,t=2,p=1$salt$hash) for a normalized code, using the OWASP
// Password Storage Cheat Sheet floor for argon2id and a 16-byte salt from `random`.
// Errors: "invalid_backup_code" if `normalized` is not a normalized code; "backup_code_hash_failed"
// if argon2 fails (out of memory).
core::Result<std::string> hash_backup_code(std::string_view normalized, core::Random& random);

// True if `normalized` is the code behind `phc`. False for a wrong code, an empty code or a
// malformed hash. Single use is the caller's job: delete the matched hash in the same transaction
// that accepts it (ASVS V6.5.1), and try every unused hash so timing does not tell which matched.
bool verify_backup_code(std::string_view normalized, std::string_view phc);

}  // namespace airlock::identity
