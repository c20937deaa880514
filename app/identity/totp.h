#pragma once
// Time-based one-time passwords for the console's second factor: RFC 6238 TOTP over RFC 4226 HOTP
// with HMAC-SHA1, 6 digits, 30 s steps and T0 = 0, the profile every authenticator app supports.
// SHA-1 appears here only because authenticator apps require it (HMAC-SHA1 is not broken by SHA-1
// collisions); nothing else in Airlock uses it. All functions are pure and thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/clock.h"
#include "core/random.h"
#include "crypto/hash.h"

namespace airlock::identity {

using crypto::ByteView;

// RFC 6238 §5.2 recommends one step of clock drift; the RFC 6238 defaults otherwise.
inline constexpr int kTotpDigits = 6;
inline constexpr std::int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpWindowSteps = 1;
// RFC 4226 §4 R6: shared secrets of at least 128 bits, 160 recommended.
inline constexpr std::size_t kTotpSecretBytes = 20;
// last_accepted_step for a user who has never had a code accepted (real steps are >= 0).
inline constexpr std::int64_t kNoTotpStepAccepted = -1;

// RFC 4226 §5.3 HOTP value, zero-padded to `digits` characters.
// REQUIRES: 6 <= digits <= 8 (RFC 4226 §5.3 allows no fewer than 6).
std::string hotp(ByteView secret, std::uint64_t counter, int digits = kTotpDigits);

// RFC 6238 TOTP for the step holding `unix_seconds`. REQUIRES: unix_seconds >= 0, digits as hotp.
std::string totp_at(ByteView secret, std::int64_t unix_seconds, int digits = kTotpDigits);

struct TotpCheck {
  bool ok = false;
  std::int64_t step = kNoTotpStepAccepted;  // the matched step when ok; store it as last accepted
};

// Accepts `code` if it is exactly 6 ASCII digits and equals the TOTP of the current step or one
// step either side, and that step is later than `last_accepted_step`: a code, or any code from an
// earlier step, never works twice (ASVS V6.5.1). Every candidate step is computed and compared in
// constant time, so timing does not reveal which step matched or how much of the code was right.
// The caller must persist the returned step before treating the login as done, and rate-limit
// attempts (a 6-digit code with a 3-step window gives 3 in 10^6 per guess).
TotpCheck verify_totp(ByteView secret, std::string_view code, core::Clock::SystemTime now,
                      std::int64_t last_accepted_step);

// A fresh 160-bit secret from the CSPRNG (ASVS V6.5.3).
core::SecretBytes new_totp_secret(core::Random& random);

// RFC 4648 §6 base32, upper case, without padding: the form authenticator apps expect.
std::string base32_encode(ByteView data);
// Accepts upper or lower case, spaces anywhere (people type secrets in groups) and trailing '='
// padding that completes an 8-character block. Refuses other characters, impossible lengths and
// non-zero trailing bits (so each byte string has one accepted spelling); nullopt on refusal.
std::optional<core::Bytes> base32_decode(std::string_view text);

// Key URI for enrolment QR codes (Google Authenticator "Key Uri Format"): issuer and account are
// percent-encoded, keeping only RFC 3986 unreserved characters. The URI contains the secret: it
// belongs in the enrolment page only, never in logs or redirects.
std::string otpauth_uri(std::string_view issuer, std::string_view account, ByteView secret);

}  // namespace airlock::identity
