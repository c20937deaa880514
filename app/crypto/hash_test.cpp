#include "crypto/hash.h"

#include <catch2/catch_test_macros.hpp>

#include "core/bytes.h"

using namespace airlock;

namespace {
std::string hex(const crypto::Digest& d) { return core::to_hex(d.data(), d.size()); }
core::Bytes repeat(std::uint8_t b, std::size_t n) { return core::Bytes(n, b); }
}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180 known answers", "[crypto][V11.4.1]") {
  CHECK(hex(crypto::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(crypto::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(crypto::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("SHA-1 matches the RFC 3174 / FIPS 180 known answers", "[crypto][V6.2.12]") {
  auto h = [](const crypto::Sha1Digest& d) { return core::to_hex(d.data(), d.size()); };
  CHECK(h(crypto::sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(h(crypto::sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(h(crypto::sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(h(crypto::sha1(std::string(1'000'000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases 1, 2, 3, 6 and 7", "[crypto][V11.4.3]") {
  // Case 1: 20-byte key.
  CHECK(hex(crypto::hmac_sha256(repeat(0x0b, 20), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Case 2: key shorter than the output.
  CHECK(hex(crypto::hmac_sha256(crypto::byte_view("Jefe"), "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Case 3: binary data.
  CHECK(hex(crypto::hmac_sha256(repeat(0xaa, 20), repeat(0xdd, 50))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Case 6: key longer than the 64-byte block, so it is hashed first.
  CHECK(hex(crypto::hmac_sha256(repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Case 7: long key and long data.
  CHECK(hex(crypto::hmac_sha256(repeat(0xaa, 131),
                                "This is a test using a larger than block-size key and a larger than block-size "
                                "data. The key needs to be hashed before being used by the HMAC algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA256 accepts an empty key and empty data without crashing", "[crypto]") {
  CHECK(hex(crypto::hmac_sha256(core::Bytes{}, "")) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
