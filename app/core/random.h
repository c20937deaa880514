#pragma once
// core::Random is the one source of randomness (keys, nonces, tokens, request ids). Production uses
// mbedTLS CTR_DRBG seeded from the OS entropy source; tests pass a SeededRandom so a security test
// can replay the exact same bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.h"

namespace airlock::core {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with `n` random bytes. Thread-safe. A DRBG failure is a broken invariant and aborts.
  virtual void fill(std::uint8_t* out, std::size_t n) = 0;

  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b.data(), n);
    return b;
  }
  SecretBytes secret(std::size_t n) {
    SecretBytes s{Bytes(n)};
    fill(s.data(), n);
    return s;
  }
};

// CTR_DRBG (NIST SP 800-90A, AES-256) over mbedTLS's entropy collector; reseeds per its defaults.
std::unique_ptr<Random> make_system_random();

// Deterministic generator for tests only: SHA-256 in counter mode over the seed. Not for secrets.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : seed_(seed) {}
  void fill(std::uint8_t* out, std::size_t n) override;

 private:
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

}  // namespace airlock::core
