#include "identity/password.h"

#include <argon2.h>
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace airlock;

namespace {

// Far below the floor, so the tests stay fast; hash_password does not enforce the floor.
constexpr identity::Argon2Params kFast{1024, 1, 1};

std::string hash(std::string_view password, const identity::Argon2Params& params = kFast, std::uint64_t seed = 1) {
  core::SeededRandom random(seed);
  auto h = identity::hash_password(password, params, random);
  REQUIRE(h.is_ok());
  return *h;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '$') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

TEST_CASE("A hash is an argon2id v=19 PHC string with a 16-byte salt and a 32-byte tag", "[password][V11.4.2]") {
  auto phc = hash("tangerine-kiwi-orbit");
  auto parts = split(phc);
  REQUIRE(parts.size() == 6);
  CHECK(parts[1] == "argon2id");
  CHECK(parts[2] == "v=19");
  CHECK(parts[3] == "m=1024,t=1,p=1");
  CHECK(parts[4].size() == 22);  // base64 of 16 bytes, unpadded
  CHECK(parts[5].size() == 43);  // base64 of 32 bytes, unpadded
}

TEST_CASE("The salt comes from the injected random source, so equal passwords hash differently",
          "[password][V11.4.2]") {
  CHECK(hash("tangerine-kiwi-orbit", kFast, 1) == hash("tangerine-kiwi-orbit", kFast, 1));
  CHECK(hash("tangerine-kiwi-orbit", kFast, 1) != hash("tangerine-kiwi-orbit", kFast, 2));
}

TEST_CASE("The right password verifies and needs no rehash under the same parameters", "[password][V11.4.2]") {
  auto phc = hash("tangerine-kiwi-orbit");
  auto check = identity::verify_password("tangerine-kiwi-orbit", phc, kFast);
  CHECK(check.ok);
  CHECK_FALSE(check.needs_rehash);
}

TEST_CASE("A wrong password does not verify, even one differing only at character 100 or in case",
          "[password][V6.2.8]") {
  std::string long_pw(120, 'q');
  auto phc = hash(long_pw);
  std::string late_diff = long_pw;
  late_diff[99] = 'r';
  CHECK_FALSE(identity::verify_password(late_diff, phc, kFast).ok);
  CHECK_FALSE(identity::verify_password(long_pw.substr(0, 100), phc, kFast).ok);
  CHECK_FALSE(identity::verify_password(long_pw + "q", phc, kFast).ok);

  auto cased = hash("Tangerine-Kiwi-Orbit");
  CHECK_FALSE(identity::verify_password("tangerine-kiwi-orbit", cased, kFast).ok);
  CHECK_FALSE(identity::verify_password("", cased, kFast).ok);
  CHECK_FALSE(identity::verify_password("tangerine-kiwi-orbit", cased, kFast).needs_rehash);
}

TEST_CASE("A 128-code-point password of multi-byte characters round-trips exactly", "[password][V6.2.9]") {
  std::string pw;
  for (int i = 0; i < 128; ++i) pw += "\xF0\x9F\x94\x92";
  auto phc = hash(pw);
  CHECK(identity::verify_password(pw, phc, kFast).ok);
  pw.back() = '\x93';
  CHECK_FALSE(identity::verify_password(pw, phc, kFast).ok);
}

TEST_CASE("A hash made with other parameters verifies and asks to be rehashed", "[password][V11.4.2][V11.2.2]") {
  auto phc = hash("tangerine-kiwi-orbit");
  for (auto current : {identity::Argon2Params{2048, 1, 1}, identity::Argon2Params{1024, 2, 1},
                       identity::Argon2Params{1024, 1, 2}}) {
    auto check = identity::verify_password("tangerine-kiwi-orbit", phc, current);
    CHECK(check.ok);
    CHECK(check.needs_rehash);
    CHECK_FALSE(identity::verify_password("wrong-password", phc, current).needs_rehash);
  }
}

TEST_CASE("An argon2id hash of the old version 0x10 verifies and asks to be rehashed", "[password][V11.4.2]") {
  const std::string_view pw = "tangerine-kiwi-orbit";
  const std::uint8_t salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  char encoded[128] = {};
  REQUIRE(argon2_hash(1, 1024, 1, pw.data(), pw.size(), salt, sizeof salt, nullptr, 32, encoded, sizeof encoded,
                      Argon2_id, ARGON2_VERSION_10) == ARGON2_OK);
  REQUIRE(std::string_view(encoded).starts_with("$argon2id$v=16$"));
  auto check = identity::verify_password(pw, encoded, kFast);
  CHECK(check.ok);
  CHECK(check.needs_rehash);
}

TEST_CASE("Malformed or non-argon2id hashes never verify and never crash", "[password]") {
  const std::string_view pw = "tangerine-kiwi-orbit";
  auto good = hash(pw);
  auto tail = good.substr(good.find("$m="));  // "$m=1024,t=1,p=1$<salt>$<hash>"

  std::vector<std::string> bad = {
      "",
      "$",
      "$$$$$",
      "garbage",
      "argon2id$v=19" + tail,
      "$argon2i$v=19" + tail,
      "$argon2d$v=19" + tail,
      "$ARGON2ID$v=19" + tail,
      "$argon2id$v=19$m=1024,t=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      "$argon2id$v=19$t=1,m=1024,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      "$argon2id$v=19$m=-1,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      "$argon2id$v=19$m=99999999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      // Within uint32 but past the sanity limits: refused before libargon2 tries to allocate.
      "$argon2id$v=19$m=4294967295,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      "$argon2id$v=19$m=1024,t=4000000000,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      "$argon2id$v=19$m=1024,t=1,p=255$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      "$argon2id$v=19$m=1024,t=1,p=1$not base64!$" + std::string(43, 'A'),
      "$argon2id$v=19$m=1024,t=1,p=1$$" + std::string(43, 'A'),
      "$argon2id$v=x$m=1024,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" + std::string(43, 'A'),
      good + "$",
      good + "\n",
      good + std::string(1, '\0') + "AAAA",
      "$argon2id$v=19$m=1024,t=1,p=1$" + std::string(5000, 'A') + "$" + std::string(43, 'A'),
  };
  // Every truncation of a real hash, down to the empty string.
  for (std::size_t n = 0; n < good.size(); ++n) bad.push_back(good.substr(0, n));

  for (const auto& phc : bad) {
    INFO("phc: " << phc);
    auto check = identity::verify_password(pw, phc, kFast);
    CHECK_FALSE(check.ok);
    CHECK_FALSE(check.needs_rehash);
  }
}

TEST_CASE("The parameter floor is OWASP's m=19456 KiB, t=2, p=1", "[password][V11.4.2]") {
  CHECK(identity::validate_argon2_params({19456, 2, 1}).is_ok());
  CHECK(identity::validate_argon2_params({4u * 1024 * 1024, 100, 16}).is_ok());

  for (auto bad : {identity::Argon2Params{19455, 2, 1}, identity::Argon2Params{19456, 1, 1},
                   identity::Argon2Params{19456, 2, 0}, identity::Argon2Params{4u * 1024 * 1024 + 1, 2, 1},
                   identity::Argon2Params{19456, 101, 1}, identity::Argon2Params{19456, 2, 17},
                   identity::Argon2Params{0, 0, 0}}) {
    auto s = identity::validate_argon2_params(bad);
    CHECK(s.code() == "argon2_params_invalid");
  }
  auto s = identity::validate_argon2_params({1024, 1, 1});
  CHECK(s.message().find("memory must be between 19456 and 4194304 KiB (got 1024)") != std::string::npos);
  CHECK(s.message().find("iterations must be between 2 and 100 (got 1)") != std::string::npos);
  CHECK(s.message().find("parallelism") == std::string::npos);
}

TEST_CASE("The default parameters pass the floor and hash and verify", "[password][V11.4.2]") {
  auto params = identity::default_argon2_params();
  CHECK(identity::validate_argon2_params(params).is_ok());
  auto phc = hash("tangerine-kiwi-orbit", params);
  CHECK(phc.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
  auto check = identity::verify_password("tangerine-kiwi-orbit", phc, params);
  CHECK(check.ok);
  CHECK_FALSE(check.needs_rehash);
}

TEST_CASE("hash_password reports parameters libargon2 refuses instead of crashing", "[password]") {
  core::SeededRandom random(1);
  auto h = identity::hash_password("tangerine-kiwi-orbit", {1024, 0, 1}, random);
  REQUIRE_FALSE(h.is_ok());
  CHECK(h.status().code() == "password_hash_failed");
}

TEST_CASE("dummy_verify is safe to call from several threads with changing parameters", "[password]") {
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < 4; ++i) {
    threads.emplace_back([i] {
      for (int k = 0; k < 3; ++k) identity::dummy_verify("tangerine-kiwi-orbit", {1024u + 8 * (i % 2), 1, 1});
    });
  }
  for (auto& t : threads) t.join();
  SUCCEED();
}
