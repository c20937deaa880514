#include "identity/service.h"

#include "crypto/hash.h"

namespace airlock::identity {

Policies policies_from(const core::Config& c) {
  Policies p;
  p.argon2 = {static_cast<std::uint32_t>(c.argon2_memory_kib), static_cast<std::uint32_t>(c.argon2_iterations),
              static_cast<std::uint32_t>(c.argon2_parallelism)};
  p.lockout_failures = c.lockout_failures;
  p.lockout_window = std::chrono::seconds(c.lockout_window_s);
  p.lockout_duration = std::chrono::seconds(c.lockout_duration_s);
  p.session_idle = std::chrono::seconds(c.session_idle_timeout_s);
  p.session_absolute = std::chrono::seconds(c.session_absolute_timeout_s);
  p.max_sessions = c.max_sessions;
  if (!c.breached_passwords_dir.empty())
    p.breached = std::make_shared<const BreachedPasswords>(c.breached_passwords_dir, c.log_level);
  return p;
}

NewSecret new_secret(core::Random& random) {
  auto raw = random.secret(32);
  NewSecret s;
  s.token = core::to_base64url(raw.data(), raw.size());
  s.hash = hash_secret(s.token);
  return s;
}

std::string hash_secret(std::string_view token) {
  auto d = crypto::sha256(token);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

std::optional<std::string> issued_secret_hash(std::string_view token) {
  if (token.size() != kSecretChars) return std::nullopt;
  return hash_secret(token);
}

}  // namespace airlock::identity
