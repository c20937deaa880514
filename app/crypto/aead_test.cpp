#include "crypto/aead.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;

namespace {

core::Bytes hx(std::string_view s) { return *core::from_hex(s); }

struct GcmVector {
  const char* name;
  const char* key;
  const char* iv;
  const char* aad;
  const char* plaintext;
  const char* ciphertext_and_tag;
};

// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13-16 (AES-256, 96-bit IV);
// the same values appear in NIST's GCM validation set.
const GcmVector kVectors[] = {
    {"case 13: empty plaintext", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case 14: one zero block", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"},
    {"case 15: four blocks", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de6"
     "57ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0a"
     "bcc9f662898015adb094dac5d93471bdec1a502270e3cc6c"},
    {"case 16: partial block with AAD", "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de6"
     "57ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0a"
     "bcc9f66276fc6ece0f4e1768cddf8853bb2d551b"},
};

}  // namespace

TEST_CASE("AES-256-GCM seal and open match the GCM spec test cases 13 to 16", "[crypto][V11.3.2]") {
  for (const auto& v : kVectors) {
    INFO(v.name);
    core::Bytes key = hx(v.key), iv = hx(v.iv), aad = hx(v.aad), pt = hx(v.plaintext);
    CHECK(core::to_hex(crypto::aead_seal(key, iv, aad, pt)) == v.ciphertext_and_tag);
    auto opened = crypto::aead_open(key, iv, aad, hx(v.ciphertext_and_tag));
    REQUIRE(opened.is_ok());
    CHECK(opened->bytes() == pt);
  }
}

TEST_CASE("AES-256-GCM open refuses a changed tag, ciphertext or AAD", "[crypto][V11.3.3]") {
  const auto& v = kVectors[3];
  core::Bytes key = hx(v.key), iv = hx(v.iv), aad = hx(v.aad), sealed = hx(v.ciphertext_and_tag);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    core::Bytes bad = sealed;
    bad[i] ^= 0x01;
    auto r = crypto::aead_open(key, iv, aad, bad);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == "decrypt_failed");
  }
  core::Bytes bad_aad = aad;
  bad_aad.back() ^= 0x80;
  CHECK(crypto::aead_open(key, iv, bad_aad, sealed).status().code() == "decrypt_failed");
  CHECK(crypto::aead_open(key, iv, {}, sealed).status().code() == "decrypt_failed");
  core::Bytes bad_iv = iv;
  bad_iv[0] ^= 0x01;
  CHECK(crypto::aead_open(key, bad_iv, aad, sealed).status().code() == "decrypt_failed");
}

TEST_CASE("AES-256-GCM open refuses wrong sizes without crashing", "[crypto][V11.3.3]") {
  const auto& v = kVectors[3];
  core::Bytes key = hx(v.key), iv = hx(v.iv), aad = hx(v.aad), sealed = hx(v.ciphertext_and_tag);
  core::Bytes short_key(key.begin(), key.begin() + 16);
  core::Bytes long_iv = iv;
  long_iv.push_back(0);
  CHECK(crypto::aead_open(short_key, iv, aad, sealed).status().code() == "decrypt_failed");
  CHECK(crypto::aead_open({}, iv, aad, sealed).status().code() == "decrypt_failed");
  CHECK(crypto::aead_open(key, long_iv, aad, sealed).status().code() == "decrypt_failed");
  CHECK(crypto::aead_open(key, {}, aad, sealed).status().code() == "decrypt_failed");
  CHECK(crypto::aead_open(key, iv, aad, {}).status().code() == "decrypt_failed");
  for (std::size_t n = 0; n < crypto::kAeadTagSize; ++n) {
    core::Bytes truncated(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(crypto::aead_open(key, iv, aad, truncated).status().code() == "decrypt_failed");
  }
  core::Bytes cut_tag(sealed.begin(), sealed.end() - 1);
  CHECK(crypto::aead_open(key, iv, aad, cut_tag).status().code() == "decrypt_failed");
}
