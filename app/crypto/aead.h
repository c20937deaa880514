#pragma once
// AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a full 128-bit tag. The only cipher our
// code uses for data at rest (ASVS V11.3.2); the tag covers ciphertext and associated data, so
// any change to either is refused (V11.3.3).
//
// Nonces: a (key, nonce) pair must never repeat. Callers draw a fresh random nonce per message
// from core::Random; SP 800-38D §8.3 limits random 96-bit nonces to 2^32 messages per key.
#include <cstddef>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/hash.h"

namespace airlock::crypto {

inline constexpr std::size_t kAeadKeySize = 32;
inline constexpr std::size_t kAeadNonceSize = 12;
inline constexpr std::size_t kAeadTagSize = 16;

// Returns ciphertext || tag (plaintext.size() + 16 bytes).
// REQUIRES: key is 32 bytes and nonce 12. Both come from our own code, so a wrong size is a bug
// and aborts; the input that may be hostile (sealed data) only ever reaches aead_open.
core::Bytes aead_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);

// Opens ciphertext || tag. Any failure (wrong key or nonce size, input shorter than a tag,
// authentication failure) is Status "decrypt_failed" with no further detail: telling the caller
// which check failed helps only an attacker. Never returns unauthenticated plaintext.
core::Result<core::SecretBytes> aead_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

}  // namespace airlock::crypto
