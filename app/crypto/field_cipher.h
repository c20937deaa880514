#pragma once
// Row-bound encryption for secrets kept in database columns (vendor API keys, TOTP secrets).
//
// Token: "v1.<kid>.<base64url(nonce || ciphertext || tag)>", printable so it fits a TEXT column.
//   - Cipher: AES-256-GCM (crypto/aead.h) with a fresh random 96-bit nonce per value.
//   - Key: one subkey per purpose, HKDF-SHA256(salt "airlock/field/v1", ikm master,
//     info "airlock/field/" + purpose). A value sealed for "totp-secret" cannot be opened as
//     "vendor-key", and no subkey reveals the master.
//   - AAD: "v1.<kid>." followed by "<table>:<column>:<row-id>" (row id in decimal). Binding the
//     place, as Authelia's internal/storage/encryption_aad.go does (STYLE.md §4), means a token
//     copied into another row, column or table fails authentication instead of quietly decrypting
//     there; binding the header means an edited version or kid fails too (ASVS V11.3.3).
//   - Nonces are random, so one master key may seal at most 2^32 values per purpose
//     (NIST SP 800-38D §8.3); rotation comes long before that.
//   - kid: 8 lowercase hex = first 4 bytes of HMAC-SHA256(master, "airlock/key-id/v1"). It names
//     the master key without revealing it. Today one FieldCipher holds one key and refuses other
//     kids; key rotation will add a keyring that maps kid -> FieldCipher, opens with the old key
//     and reseals with the new one (ASVS V11.2.2).
//
// Errors from open(): "field_format" (not a v1 token, bad base64url, too short), "field_key_unknown"
// (well formed, but sealed under another master key), "field_decrypt_failed" (authentication
// failed: tampered, or moved to another place or purpose). seal()/open() also return "field_place"
// for an invalid purpose, table or column name.
//
// Thread safety: seal() and open() may be called concurrently; the subkey cache is locked.
// The master copy and all subkeys are wiped when the FieldCipher is destroyed.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/random.h"
#include "core/result.h"
#include "crypto/hash.h"

namespace airlock::crypto {

// Where a value lives. table and column: [a-z0-9_]{1,64}, so "a:b" can never be read two ways.
struct FieldPlace {
  std::string_view table;
  std::string_view column;
  std::int64_t row_id = 0;
};

class FieldCipher {
 public:
  // REQUIRES: master_key is 32 bytes (store::load_key_material guarantees it); anything else is a
  // bug and aborts. `random` supplies nonces and must outlive this object.
  FieldCipher(const core::SecretBytes& master_key, core::Random& random);
  FieldCipher(const FieldCipher&) = delete;
  FieldCipher& operator=(const FieldCipher&) = delete;

  // purpose: [a-z0-9-]{1,32}, a fixed string such as "vendor-key" or "totp-secret".
  core::Result<std::string> seal(std::string_view purpose, const FieldPlace& place, ByteView plaintext);
  core::Result<core::SecretBytes> open(std::string_view purpose, const FieldPlace& place, std::string_view token);

  // The 8-hex key id this cipher seals under and accepts.
  const std::string& key_id() const { return kid_; }

 private:
  // Derives on first use, then serves a copy from the cache. purpose must already be validated.
  core::SecretBytes subkey(std::string_view purpose);

  core::SecretBytes master_;
  core::Random& random_;
  std::string kid_;
  std::mutex mu_;
  std::map<std::string, core::SecretBytes, std::less<>> subkeys_;
};

}  // namespace airlock::crypto
