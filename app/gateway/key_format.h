#pragma once
// Gateway keys: "alk_<public id>_<secret>". The public id is 8 characters [a-z0-9] (the row to
// look up, shown in lists); the secret is 43 base62 characters, 256 bits from the DRBG
// (43 × log2(62) ≈ 256.03). Only HMAC-SHA256(pepper, whole key) is stored; a presented key is
// found by its public id and compared in constant time.
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/random.h"

namespace airlock::gateway {

inline constexpr std::string_view kKeyPrefix = "alk_";
inline constexpr std::size_t kKeyPublicIdLength = 8;
inline constexpr std::size_t kKeySecretLength = 43;
inline constexpr std::size_t kKeyLength = 4 + kKeyPublicIdLength + 1 + kKeySecretLength;

struct NewKey {
  std::string key;  // the whole key, to show once
  std::string public_id;
};
NewKey new_gateway_key(core::Random& random);
// A new secret under an existing public id (rotation keeps the key's identity).
NewKey new_gateway_secret(core::Random& random, const std::string& public_id);

// The public id of a well-formed key, else nullopt (wrong length, prefix, alphabet or separator).
std::optional<std::string> gateway_key_public_id(std::string_view key);

// HMAC-SHA256(pepper, key) as 32 raw bytes.
std::string gateway_key_hash(const core::SecretBytes& pepper, std::string_view key);

}  // namespace airlock::gateway
