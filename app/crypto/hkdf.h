#pragma once
// HKDF-SHA256 (RFC 5869): derives independent subkeys from one master secret, one per purpose
// (`info`), so a key used for one job is never reused for another.
#include <cstddef>

#include "core/bytes.h"
#include "crypto/hash.h"

namespace airlock::crypto {

// RFC 5869 §2.3 caps the output at 255 hash lengths.
inline constexpr std::size_t kHkdfSha256MaxOutput = 255 * 32;

// Extract-then-expand in one call. An empty salt means the RFC's default (hash-length zeros).
// REQUIRES: 0 < out_len <= kHkdfSha256MaxOutput. Lengths are fixed by our own code, so a bad one is
// a bug and aborts rather than returning an error every caller would have to handle.
core::SecretBytes hkdf_sha256(ByteView salt, ByteView ikm, ByteView info, std::size_t out_len);

}  // namespace airlock::crypto
