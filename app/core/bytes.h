#pragma once
// Byte helpers shared by crypto, store and http: hex and base64url, constant-time compare, and a
// buffer that zeroes itself (secrets are wiped when their owner goes away, not left to the heap).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::core {

using Bytes = std::vector<std::uint8_t>;

std::string to_hex(const std::uint8_t* data, std::size_t len);
inline std::string to_hex(const Bytes& b) { return to_hex(b.data(), b.size()); }
// Lower- or upper-case hex of even length; nullopt otherwise.
std::optional<Bytes> from_hex(std::string_view hex);

// RFC 4648 §5 base64url without padding.
std::string to_base64url(const std::uint8_t* data, std::size_t len);
inline std::string to_base64url(const Bytes& b) { return to_base64url(b.data(), b.size()); }
std::optional<Bytes> from_base64url(std::string_view s);

// Constant-time equality: time depends only on the lengths, never on where the inputs differ.
bool ct_equal(const std::uint8_t* a, std::size_t alen, const std::uint8_t* b, std::size_t blen);
inline bool ct_equal(std::string_view a, std::string_view b) {
  return ct_equal(reinterpret_cast<const std::uint8_t*>(a.data()), a.size(),
                  reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
}

// Overwrites memory in a way the optimiser may not drop (mbedtls_platform_zeroize).
void secure_zero(void* p, std::size_t n);

// Owns secret bytes; wipes them on destruction and on move-from. Not copyable by accident.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(Bytes b) : b_(std::move(b)) {}
  SecretBytes(const std::uint8_t* p, std::size_t n) : b_(p, p + n) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(SecretBytes&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
      o.b_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes clone() const { return SecretBytes(b_); }

  const std::uint8_t* data() const { return b_.data(); }
  std::uint8_t* data() { return b_.data(); }
  std::size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }
  const Bytes& bytes() const { return b_; }

 private:
  void wipe() {
    if (!b_.empty()) secure_zero(b_.data(), b_.size());
  }
  Bytes b_;
};

}  // namespace airlock::core
