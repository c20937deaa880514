#include "crypto/field_cipher.h"

#include <catch2/catch_test_macros.hpp>

#include <cctype>

using namespace airlock;

namespace {

const crypto::FieldPlace kPlace{"vendors", "api_key", 42};

core::SecretBytes master_key(std::uint8_t first) {
  core::Bytes b(32);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(first + i);
  return core::SecretBytes(std::move(b));
}

// Hands out a fixed nonce so the token can be compared with one computed outside our code.
class FixedRandom final : public core::Random {
 public:
  void fill(std::uint8_t* out, std::size_t n) override {
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(0xa0 + i);
  }
};

struct Parts {
  std::string header;  // "v1.<kid>."
  core::Bytes payload;  // nonce || ciphertext || tag
};

Parts split(const std::string& token) {
  std::size_t dot2 = token.find('.', 3);
  return {token.substr(0, dot2 + 1), *core::from_base64url(token.substr(dot2 + 1))};
}

std::string join(const Parts& p) { return p.header + core::to_base64url(p.payload); }

std::string code_of(crypto::FieldCipher& fc, std::string_view token, std::string_view purpose = "vendor-key",
                    const crypto::FieldPlace& place = kPlace) {
  auto r = fc.open(purpose, place, token);
  return r.is_ok() ? "ok" : r.status().code();
}

}  // namespace

TEST_CASE("a sealed field matches the documented token format byte for byte", "[crypto][V11.3.2]") {
  // Expected value computed independently (Python `cryptography`: HKDF-SHA256 + AESGCM) from the
  // contract in field_cipher.h. A change here breaks every value already stored.
  FixedRandom random;
  crypto::FieldCipher fc(master_key(0), random);
  CHECK(fc.key_id() == "e787de86");
  auto token = fc.seal("vendor-key", kPlace, crypto::byte_view("sk-test-123"));
  REQUIRE(token.is_ok());
  CHECK(*token == "v1.e787de86.oKGio6SlpqeoqaqrmpzrS6RcxVttB5K6eo0If6TocA6Ks06AkCZb");
}

TEST_CASE("field values round-trip, including empty and 10 KB values", "[crypto]") {
  core::SeededRandom random(1);
  crypto::FieldCipher fc(master_key(7), random);
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{10 * 1024}}) {
    core::Bytes plain = random.bytes(size);
    auto token = fc.seal("totp-secret", {"users", "totp_secret", -5}, plain);
    REQUIRE(token.is_ok());
    auto opened = fc.open("totp-secret", {"users", "totp_secret", -5}, *token);
    REQUIRE(opened.is_ok());
    CHECK(opened->bytes() == plain);
  }
}

TEST_CASE("sealing the same value twice gives different tokens because each gets a fresh nonce",
          "[crypto][V11.5.1]") {
  core::SeededRandom random(2);
  crypto::FieldCipher fc(master_key(7), random);
  auto a = fc.seal("vendor-key", kPlace, crypto::byte_view("same"));
  auto b = fc.seal("vendor-key", kPlace, crypto::byte_view("same"));
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(*a != *b);
  CHECK(split(*a).payload.size() == 12 + 4 + 16);
}

TEST_CASE("a field value moved to another row, column, table or purpose is refused", "[crypto][V11.3.3]") {
  core::SeededRandom random(3);
  crypto::FieldCipher fc(master_key(7), random);
  auto token = fc.seal("vendor-key", kPlace, crypto::byte_view("sk-live"));
  REQUIRE(token.is_ok());
  CHECK(code_of(fc, *token) == "ok");
  CHECK(code_of(fc, *token, "vendor-key", {"vendors", "api_key", 43}) == "field_decrypt_failed");
  CHECK(code_of(fc, *token, "vendor-key", {"vendors", "api_key", -42}) == "field_decrypt_failed");
  CHECK(code_of(fc, *token, "vendor-key", {"vendors", "api_key2", 42}) == "field_decrypt_failed");
  CHECK(code_of(fc, *token, "vendor-key", {"vendors2", "api_key", 42}) == "field_decrypt_failed");
  CHECK(code_of(fc, *token, "vendor-key", {"users", "totp_secret", 42}) == "field_decrypt_failed");
  CHECK(code_of(fc, *token, "totp-secret") == "field_decrypt_failed");
}

TEST_CASE("a flipped byte in any region of the token is refused with the right code", "[crypto][V11.3.3]") {
  core::SeededRandom random(4);
  crypto::FieldCipher fc(master_key(7), random);
  auto token = fc.seal("vendor-key", kPlace, crypto::byte_view("sk-live-0123456789"));
  REQUIRE(token.is_ok());

  SECTION("version") {
    std::string t = *token;
    t[0] = 'w';
    CHECK(code_of(fc, t) == "field_format");
    t = *token;
    t[1] = '2';
    CHECK(code_of(fc, t) == "field_format");
  }
  SECTION("key id") {
    for (std::size_t i = 3; i < 11; ++i) {
      std::string t = *token;
      t[i] = t[i] == '0' ? '1' : '0';
      CHECK(code_of(fc, t) == "field_key_unknown");
      t[i] = 'G';
      CHECK(code_of(fc, t) == "field_format");
    }
  }
  SECTION("nonce, ciphertext and tag") {
    Parts p = split(*token);
    for (std::size_t i = 0; i < p.payload.size(); ++i) {
      INFO("payload byte " << i << (i < 12 ? " (nonce)" : i < p.payload.size() - 16 ? " (ciphertext)" : " (tag)"));
      Parts bad = p;
      bad.payload[i] ^= 0x80;
      CHECK(code_of(fc, join(bad)) == "field_decrypt_failed");
    }
  }
  SECTION("every character of the printable token") {
    for (std::size_t i = 0; i < token->size(); ++i) {
      std::string t = *token;
      t[i] = t[i] == 'A' ? 'B' : 'A';
      CHECK(code_of(fc, t) != "ok");
    }
  }
}

TEST_CASE("a value sealed under another master key is refused as an unknown key", "[crypto][V11.2.2]") {
  core::SeededRandom random(5);
  crypto::FieldCipher mine(master_key(7), random);
  crypto::FieldCipher theirs(master_key(8), random);
  CHECK(mine.key_id() != theirs.key_id());
  auto token = theirs.seal("vendor-key", kPlace, crypto::byte_view("sk-live"));
  REQUIRE(token.is_ok());
  CHECK(code_of(mine, *token) == "field_key_unknown");
}

TEST_CASE("the key id is the first four bytes of HMAC-SHA256 of the master key, in lowercase hex", "[crypto]") {
  core::SeededRandom random(6);
  auto key = master_key(9);
  crypto::FieldCipher fc(key, random);
  crypto::Digest d = crypto::hmac_sha256(key.bytes(), "airlock/key-id/v1");
  CHECK(fc.key_id() == core::to_hex(d.data(), 4));
}

TEST_CASE("truncated, empty and garbage tokens are refused as malformed, never a crash", "[crypto][V11.3.3]") {
  core::SeededRandom random(7);
  crypto::FieldCipher fc(master_key(7), random);
  auto token = fc.seal("vendor-key", kPlace, crypto::byte_view("sk-live"));
  REQUIRE(token.is_ok());
  const std::string header = split(*token).header;

  // Shorter than nonce + tag: malformed. Longer: a cut ciphertext fails authentication, or is
  // not canonical base64url.
  std::size_t min_len = header.size() + (12 + 16) * 4 / 3 + 1;
  for (std::size_t n = 0; n < token->size(); ++n) {
    INFO("prefix length " << n);
    std::string code = code_of(fc, token->substr(0, n));
    if (n < min_len) {
      CHECK(code == "field_format");
    } else {
      CHECK((code == "field_format" || code == "field_decrypt_failed"));
    }
  }
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("v1"),
                          std::string("v1.."), std::string("v1..AAAA"), header, header + "!!!!",
                          header + "====", header + std::string(40, 'A') + "=", *token + ".x", *token + "=",
                          std::string("V1") + token->substr(2), std::string("v10.") + token->substr(3),
                          std::string(" ") + *token, std::string(1 << 16, 'v'), std::string("v1.\0\0.AAAA", 10)}) {
    INFO("token " << bad.substr(0, 80));
    CHECK(code_of(fc, bad) == "field_format");
  }
  std::string upper = *token;
  for (std::size_t i = 3; i < 11; ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  if (upper != *token) CHECK(code_of(fc, upper) == "field_format");
}

TEST_CASE("invalid purposes and place names are refused before any crypto runs", "[crypto]") {
  core::SeededRandom random(8);
  crypto::FieldCipher fc(master_key(7), random);
  for (std::string_view purpose : {"", "Vendor-Key", "vendor_key", "vendor key", "a/b",
                                   "purpose-that-is-longer-than-32-chars"}) {
    INFO(purpose);
    CHECK(fc.seal(purpose, kPlace, crypto::byte_view("x")).status().code() == "field_place");
    CHECK(fc.open(purpose, kPlace, "v1.00000000.AAAA").status().code() == "field_place");
  }
  // A ':' in a name would let "a:b" + "c" and "a" + "b:c" share one AAD.
  CHECK(fc.seal("vendor-key", {"vendors:x", "api_key", 1}, crypto::byte_view("x")).status().code() ==
        "field_place");
  CHECK(fc.seal("vendor-key", {"vendors", "api:key", 1}, crypto::byte_view("x")).status().code() == "field_place");
  CHECK(fc.seal("vendor-key", {"", "api_key", 1}, crypto::byte_view("x")).status().code() == "field_place");
  CHECK(fc.seal("vendor-key", {"vendors", "", 1}, crypto::byte_view("x")).status().code() == "field_place");
}
