#include "gateway/key_format.h"

#include "crypto/hash.h"

namespace airlock::gateway {
namespace {

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr char kIdAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

bool base62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Uniform characters by rejection: bytes >= 248 (= 4 × 62) are dropped, so each kept byte maps to
// one of 62 characters with equal probability.
std::string uniform_string(core::Random& random, std::size_t n, const char* alphabet, unsigned size) {
  std::string out;
  out.reserve(n);
  const unsigned limit = 256 - 256 % size;
  while (out.size() < n) {
    auto bytes = random.bytes(n);
    for (auto b : bytes) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % size]);
      if (out.size() == n) break;
    }
    core::secure_zero(bytes.data(), bytes.size());
  }
  return out;
}

}  // namespace

NewKey new_gateway_key(core::Random& random) {
  return new_gateway_secret(random, uniform_string(random, kKeyPublicIdLength, kIdAlphabet, 36));
}

NewKey new_gateway_secret(core::Random& random, const std::string& public_id) {
  NewKey k;
  k.public_id = public_id;
  auto secret = uniform_string(random, kKeySecretLength, kBase62, 62);
  k.key = std::string(kKeyPrefix) + k.public_id + "_" + secret;
  core::secure_zero(secret.data(), secret.size());
  return k;
}

std::optional<std::string> gateway_key_public_id(std::string_view key) {
  if (key.size() != kKeyLength || key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return std::nullopt;
  auto id = key.substr(kKeyPrefix.size(), kKeyPublicIdLength);
  if (key[kKeyPrefix.size() + kKeyPublicIdLength] != '_') return std::nullopt;
  for (char c : id)
    if (!id_char(c)) return std::nullopt;
  for (char c : key.substr(kKeyPrefix.size() + kKeyPublicIdLength + 1))
    if (!base62(c)) return std::nullopt;
  return std::string(id);
}

std::string gateway_key_hash(const core::SecretBytes& pepper, std::string_view key) {
  auto d = crypto::hmac_sha256(pepper.bytes(), key);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace airlock::gateway
