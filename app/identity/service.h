#pragma once
// What every identity operation needs, passed in from main (nothing global): the store, the
// clock and randomness, and the policies from configuration.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/random.h"
#include "crypto/field_cipher.h"
#include "identity/breached_passwords.h"
#include "identity/password.h"
#include "store/database.h"

namespace airlock::audit {
class DenialRecorder;
}

namespace airlock::identity {

struct Policies {
  Argon2Params argon2 = default_argon2_params();
  std::chrono::seconds setup_token_lifetime{3600};
  std::chrono::seconds invite_lifetime{72 * 3600};
  std::chrono::seconds reset_lifetime{3600};   // password-reset links (V6.4.3: short-lived)
  std::chrono::seconds step_up_window{5 * 60};  // how long a confirmed password + code counts
  std::chrono::seconds session_idle{30 * 60};
  std::chrono::seconds session_absolute{12 * 3600};
  int max_sessions = 10;
  int lockout_failures = 5;
  std::chrono::seconds lockout_window{15 * 60};
  std::chrono::seconds lockout_duration{15 * 60};
  // Set when AIRLOCK_BREACHED_PASSWORDS_DIR is; shared because Deps (and so Policies) is copied.
  std::shared_ptr<const BreachedPasswords> breached;
};

// The identity settings from the validated configuration.
Policies policies_from(const core::Config& config);

struct Deps {
  store::Database& db;
  core::Random& random;
  const core::Clock& clock;
  crypto::FieldCipher& fields;
  Policies policies;
  // Key for the HMAC under which access tokens are stored (derived from the master key, so a copy
  // of the database alone cannot test guesses against stored token hashes).
  core::SecretBytes token_pepper{};
  // When set, refusals audited here share the per-actor budget of authorization denials.
  audit::DenialRecorder* denials = nullptr;

  std::int64_t now_s() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.system_now().time_since_epoch()).count();
  }
};

// Who asked, for audit records and session rows.
struct Origin {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

// A fresh 256-bit secret as base64url, and the SHA-256 under which it is stored.
struct NewSecret {
  std::string token;
  std::string hash;  // 32 raw bytes
};
inline constexpr std::size_t kSecretChars = 43;  // 32 bytes as base64url
NewSecret new_secret(core::Random& random);
std::string hash_secret(std::string_view token);
// The stored hash of a token as new_secret issues it; nullopt for any other length, which can
// match nothing and so costs no lookup.
std::optional<std::string> issued_secret_hash(std::string_view token);

}  // namespace airlock::identity
