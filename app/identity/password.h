#pragma once
// Password hashing with Argon2id (RFC 9106) in PHC string form, through libargon2. All functions
// are thread-safe. They never copy the password; libargon2 wipes its own working memory.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/work_gate.h"
#include "core/result.h"

namespace airlock::identity {

// Every argon2id run in the process (passwords and backup codes) holds a slot of this gate while
// it runs; `airlock serve` sizes it from AIRLOCK_ARGON2_CONCURRENCY (default: one per core).
core::WorkGate& argon2_gate();

struct Argon2Params {
  std::uint32_t memory_kib;
  std::uint32_t iterations;
  std::uint32_t parallelism;

  bool operator==(const Argon2Params&) const = default;
};

// About 100 ms per hash on the reference machine; see password.cpp for the measurements.
Argon2Params default_argon2_params();

// OWASP Password Storage Cheat Sheet minimum for Argon2id (m=19 MiB, t=2, p=1) up to limits past
// which a login would stall the server: m ≤ 4 GiB, t ≤ 100, p ≤ 16. Error code
// "argon2_params_invalid"; the message names every offending value and its allowed range.
core::Status validate_argon2_params(const Argon2Params& params);

// A fresh 16-byte salt from `random`, a 32-byte tag: "$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>".
// `params` are not checked against the floor (validate_argon2_params does that at config load, and
// tests use small values); fails with "password_hash_failed" only if libargon2 refuses them or
// cannot allocate the memory.
core::Result<std::string> hash_password(std::string_view password, const Argon2Params& params,
                                        core::Random& random);

struct PasswordCheck {
  bool ok;            // the password matches the stored hash
  bool needs_rehash;  // only when ok: stored with other parameters than `current`, or not argon2id v=19
};

// Compares in constant time (libargon2's own compare). A malformed PHC string, another Argon2
// variant, or parameters past validate_argon2_params' upper limits give {false, false} without
// hashing, so a corrupted row cannot make a login allocate gigabytes.
PasswordCheck verify_password(std::string_view password, std::string_view phc, const Argon2Params& current);

// Costs what verify_password costs with `params`, for logins of unknown or disabled users, so
// timing does not tell them apart from real ones. The reference hash is computed on
// the first call per parameter set and cached; that first call does the hashing instead of the
// verification, so it costs the same.
void dummy_verify(std::string_view password, const Argon2Params& params);

}  // namespace airlock::identity
