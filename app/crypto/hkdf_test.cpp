#include "crypto/hkdf.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;

namespace {
core::Bytes range(int from, int to) {
  core::Bytes b;
  for (int i = from; i < to; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}
std::string hex(const core::SecretBytes& s) { return core::to_hex(s.data(), s.size()); }
}  // namespace

TEST_CASE("HKDF-SHA256 matches RFC 5869 test case 1", "[crypto][V11.3.2]") {
  core::Bytes ikm(22, 0x0b);
  auto okm = crypto::hkdf_sha256(range(0x00, 0x0d), ikm, range(0xf0, 0xfa), 42);
  CHECK(hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST_CASE("HKDF-SHA256 matches RFC 5869 test case 2 with long inputs and outputs", "[crypto][V11.3.2]") {
  auto okm = crypto::hkdf_sha256(range(0x60, 0xb0), range(0x00, 0x50), range(0xb0, 0x100), 82);
  CHECK(hex(okm) ==
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f"
        "09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST_CASE("HKDF-SHA256 matches RFC 5869 test case 3 with empty salt and info", "[crypto][V11.3.2]") {
  core::Bytes ikm(22, 0x0b);
  auto okm = crypto::hkdf_sha256({}, ikm, {}, 42);
  CHECK(hex(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("HKDF-SHA256 gives unrelated keys for different info strings", "[crypto]") {
  core::Bytes ikm(32, 0x42);
  auto a = crypto::hkdf_sha256(crypto::byte_view("salt"), ikm, crypto::byte_view("airlock/field/a"), 32);
  auto b = crypto::hkdf_sha256(crypto::byte_view("salt"), ikm, crypto::byte_view("airlock/field/b"), 32);
  CHECK(a.size() == 32);
  CHECK(a.bytes() != b.bytes());
}
