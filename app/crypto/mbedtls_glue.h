#pragma once
// Internal to app/crypto: small adapters between our byte views and mbedTLS's C calling style.
#include <cstdint>
#include <span>

namespace airlock::crypto::detail {

// Some mbedTLS paths reject a null pointer even when the length is zero; an empty std::span or
// std::vector may hand out null, so zero-length inputs get a valid address instead.
inline const std::uint8_t* nonnull(std::span<const std::uint8_t> v) {
  static constexpr std::uint8_t kEmpty = 0;
  return v.empty() ? &kEmpty : v.data();
}

// For calls that cannot fail on valid arguments: an error means a broken build or a bug, and
// carrying on would hand out wrong keys or digests.
[[noreturn]] void die(const char* what, int mbedtls_rc);

// Owns one mbedTLS context for a scope, so every return path runs its free function (which, for
// key-holding contexts, also wipes the key).
template <typename T, void (*Init)(T*), void (*Free)(T*)>
class Scoped {
 public:
  Scoped() { Init(&ctx_); }
  ~Scoped() { Free(&ctx_); }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;
  T* get() { return &ctx_; }

 private:
  T ctx_;
};

}  // namespace airlock::crypto::detail
