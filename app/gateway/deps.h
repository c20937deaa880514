#pragma once
// What the gateway needs, passed in from main: the store, the clock, randomness, the field cipher
// (vendor keys) and the pepper under which gateway keys are stored.
#include <chrono>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/random.h"
#include "crypto/field_cipher.h"
#include "store/database.h"

namespace airlock::audit {
class DenialRecorder;
}
namespace airlock::egress {
class Policy;
class Resolver;
struct ProxySettings;
}

namespace airlock::gateway {

class KeyCache;

struct Deps {
  store::Database& db;
  const core::Clock& clock;
  core::Random& random;
  crypto::FieldCipher& fields;
  // HMAC key for stored gateway-key hashes: HKDF-SHA256(master, "airlock/pepper/gateway-key"), so a
  // copy of the database alone cannot test guesses against them.
  core::SecretBytes key_pepper;
  // The server's cache of key rows (gateway/key_cache.h); null in tools that read the store directly.
  KeyCache* keys = nullptr;
  // Where a key's refusals (IP allowlist, scope, model) are audited (audit/denials.h); null: not.
  audit::DenialRecorder* denials = nullptr;
  // Where providers may connect (egress/policy.h; null: the default policy, no allowlist) and who
  // resolves their names (null: only IP-literal providers can be dialled).
  const egress::Policy* egress = nullptr;
  egress::Resolver* resolver = nullptr;
  // The egress CONNECT proxy (egress/proxy.h); null: direct.
  const egress::ProxySettings* proxy = nullptr;

  std::int64_t now_s() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.system_now().time_since_epoch()).count();
  }
};

// Who did it, for audit records ("cli" on the host, or a console user).
struct Actor {
  std::optional<core::UserId> user;
  std::string name = "cli";
  std::string ip;
  std::string request_id;
};

}  // namespace airlock::gateway
