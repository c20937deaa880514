#include "crypto/aead.h"

#include <mbedtls/gcm.h>

#include "crypto/mbedtls_glue.h"

namespace airlock::crypto {
namespace {

using Gcm = detail::Scoped<mbedtls_gcm_context, mbedtls_gcm_init, mbedtls_gcm_free>;

int set_key(Gcm& gcm, ByteView key) {
  return mbedtls_gcm_setkey(gcm.get(), MBEDTLS_CIPHER_ID_AES, key.data(), static_cast<unsigned>(key.size() * 8));
}

core::Status decrypt_failed() {
  return core::Status::error("decrypt_failed", "the encrypted value could not be decrypted");
}

}  // namespace

core::Bytes aead_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  if (key.size() != kAeadKeySize || nonce.size() != kAeadNonceSize) detail::die("aead_seal size check", 0);
  Gcm gcm;
  if (int rc = set_key(gcm, key); rc != 0) detail::die("aead_seal setkey", rc);
  core::Bytes out(plaintext.size() + kAeadTagSize);
  int rc = mbedtls_gcm_crypt_and_tag(gcm.get(), MBEDTLS_GCM_ENCRYPT, plaintext.size(), nonce.data(), nonce.size(),
                                     detail::nonnull(aad), aad.size(), detail::nonnull(plaintext), out.data(),
                                     kAeadTagSize, out.data() + plaintext.size());
  if (rc != 0) detail::die("aead_seal", rc);
  return out;
}

core::Result<core::SecretBytes> aead_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
  if (key.size() != kAeadKeySize || nonce.size() != kAeadNonceSize || sealed.size() < kAeadTagSize)
    return decrypt_failed();
  Gcm gcm;
  if (set_key(gcm, key) != 0) return decrypt_failed();
  std::size_t len = sealed.size() - kAeadTagSize;
  core::SecretBytes plain{core::Bytes(len)};
  std::uint8_t empty_out = 0;
  // mbedtls_gcm_auth_decrypt compares the tag in constant time and wipes the output on mismatch.
  int rc = mbedtls_gcm_auth_decrypt(gcm.get(), len, nonce.data(), nonce.size(), detail::nonnull(aad), aad.size(),
                                    sealed.data() + len, kAeadTagSize, detail::nonnull(sealed),
                                    len > 0 ? plain.data() : &empty_out);
  if (rc != 0) return decrypt_failed();
  return plain;
}

}  // namespace airlock::crypto
