#include "crypto/field_cipher.h"

#include <string>
#include <utility>

#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/mbedtls_glue.h"

namespace airlock::crypto {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::string_view kSubkeySalt = "airlock/field/v1";
constexpr std::string_view kSubkeyInfoPrefix = "airlock/field/";
constexpr std::string_view kKeyIdLabel = "airlock/key-id/v1";
constexpr std::size_t kKidHexLen = 8;

core::Status field_error(std::string code, std::string message) {
  return core::Status::error(std::move(code), std::move(message));
}
core::Status format_error() { return field_error("field_format", "the stored encrypted value is malformed"); }

bool valid_name(std::string_view s, std::size_t max_len, char extra) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == extra;
    if (!ok) return false;
  }
  return true;
}

core::Status check_place(std::string_view purpose, const FieldPlace& place) {
  if (!valid_name(purpose, 32, '-') || !valid_name(place.table, 64, '_') || !valid_name(place.column, 64, '_'))
    return field_error("field_place", "invalid field purpose, table or column name");
  return core::Status::ok();
}

bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The header is authenticated along with the place, so editing either one breaks the tag.
std::string make_aad(std::string_view header, const FieldPlace& place) {
  std::string aad(header);
  aad.append(place.table).append(":").append(place.column).append(":").append(std::to_string(place.row_id));
  return aad;
}

}  // namespace

FieldCipher::FieldCipher(const core::SecretBytes& master_key, core::Random& random)
    : master_(master_key.clone()), random_(random) {
  if (master_.size() != kAeadKeySize) detail::die("field cipher master key size check", 0);
  Digest tag = hmac_sha256(master_.bytes(), kKeyIdLabel);
  kid_ = core::to_hex(tag.data(), kKidHexLen / 2);
}

core::SecretBytes FieldCipher::subkey(std::string_view purpose) {
  std::lock_guard lock(mu_);
  if (auto it = subkeys_.find(purpose); it != subkeys_.end()) return it->second.clone();
  std::string info(kSubkeyInfoPrefix);
  info.append(purpose);
  core::SecretBytes key = hkdf_sha256(byte_view(kSubkeySalt), master_.bytes(), byte_view(info), kAeadKeySize);
  core::SecretBytes copy = key.clone();
  subkeys_.emplace(std::string(purpose), std::move(key));
  return copy;
}

core::Result<std::string> FieldCipher::seal(std::string_view purpose, const FieldPlace& place, ByteView plaintext) {
  if (auto s = check_place(purpose, place); !s) return s;
  core::SecretBytes key = subkey(purpose);
  std::string header = std::string(kVersion) + "." + kid_ + ".";
  core::Bytes nonce = random_.bytes(kAeadNonceSize);
  core::Bytes sealed = aead_seal(key.bytes(), nonce, byte_view(make_aad(header, place)), plaintext);
  nonce.insert(nonce.end(), sealed.begin(), sealed.end());
  return header + core::to_base64url(nonce);
}

core::Result<core::SecretBytes> FieldCipher::open(std::string_view purpose, const FieldPlace& place,
                                                  std::string_view token) {
  if (auto s = check_place(purpose, place); !s) return s;
  std::size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos || token.substr(0, dot1) != kVersion) return format_error();
  std::size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return format_error();
  std::string_view kid = token.substr(dot1 + 1, dot2 - dot1 - 1);
  if (kid.size() != kKidHexLen || !is_lower_hex(kid)) return format_error();
  if (kid != kid_) return field_error("field_key_unknown", "the value was encrypted under a different master key");

  auto payload = core::from_base64url(token.substr(dot2 + 1));
  if (!payload || payload->size() < kAeadNonceSize + kAeadTagSize) return format_error();
  core::SecretBytes key = subkey(purpose);
  ByteView all(*payload);
  auto plain = aead_open(key.bytes(), all.first(kAeadNonceSize),
                         byte_view(make_aad(token.substr(0, dot2 + 1), place)), all.subspan(kAeadNonceSize));
  if (!plain) return field_error("field_decrypt_failed", "the encrypted value failed authentication");
  return std::move(*plain);
}

}  // namespace airlock::crypto
