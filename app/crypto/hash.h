#pragma once
// SHA-256, HMAC-SHA256 and SHA-1 (FIPS 180-4, RFC 2104, RFC 3174) over mbedTLS. These cannot fail on valid
// arguments; an mbedTLS error here means a broken build and aborts the process.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace airlock::crypto {

using Digest = std::array<std::uint8_t, 32>;
using Sha1Digest = std::array<std::uint8_t, 20>;
using ByteView = std::span<const std::uint8_t>;

// Views a string's bytes without copying; the string must outlive the view.
inline ByteView byte_view(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Digest sha256(ByteView data);
inline Digest sha256(std::string_view data) { return sha256(byte_view(data)); }

// Any key length is accepted (RFC 2104 §2 hashes keys longer than the block size).
Digest hmac_sha256(ByteView key, ByteView data);
inline Digest hmac_sha256(ByteView key, std::string_view data) { return hmac_sha256(key, byte_view(data)); }

// Only for looking passwords up in the Have I Been Pwned list, which is keyed by SHA-1. Never for
// integrity or for storing anything: SHA-1 collisions are practical (SHAttered, 2017).
Sha1Digest sha1(ByteView data);
inline Sha1Digest sha1(std::string_view data) { return sha1(byte_view(data)); }

}  // namespace airlock::crypto
