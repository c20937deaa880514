#include "identity/totp.h"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <set>
#include <string>

#include "core/random.h"

using namespace airlock;
using identity::base32_decode;
using identity::base32_encode;
using identity::verify_totp;

namespace {

// RFC 4226 Appendix D and RFC 6238 Appendix B share this ASCII secret.
constexpr std::string_view kRfcSecret = "12345678901234567890";
crypto::ByteView rfc_secret() { return crypto::byte_view(kRfcSecret); }

std::int64_t unix_s(const core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.system_now().time_since_epoch()).count();
}

std::string code_for_step(std::int64_t step) { return identity::hotp(rfc_secret(), static_cast<std::uint64_t>(step)); }

std::string b32(std::string_view s) { return base32_encode(crypto::byte_view(s)); }

std::string decoded(std::string_view s) {
  auto d = base32_decode(s);
  REQUIRE(d.has_value());
  return std::string(d->begin(), d->end());
}

}  // namespace

TEST_CASE("HOTP matches all ten RFC 4226 Appendix D values", "[totp][V11.4.1]") {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    CHECK(identity::hotp(rfc_secret(), counter) == expected[counter]);
  }
}

TEST_CASE("TOTP matches the RFC 6238 Appendix B SHA-1 vectors", "[totp][V6.5.5]") {
  struct Vector {
    std::int64_t t;
    const char* code;
  };
  const Vector vectors[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
                            {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& v : vectors) {
    CAPTURE(v.t);
    CHECK(identity::totp_at(rfc_secret(), v.t, 8) == v.code);
  }
  // Six digits is the same value with the two leading digits dropped.
  CHECK(identity::totp_at(rfc_secret(), 59) == "287082");
}

TEST_CASE("a code is accepted in its own 30 s step and one step either side only", "[totp][V6.5.5]") {
  core::FakeClock clock;
  std::int64_t step = unix_s(clock) / 30;
  auto now = clock.system_now();

  auto current = verify_totp(rfc_secret(), code_for_step(step), now, identity::kNoTotpStepAccepted);
  CHECK(current.ok);
  CHECK(current.step == step);

  auto previous = verify_totp(rfc_secret(), code_for_step(step - 1), now, identity::kNoTotpStepAccepted);
  CHECK(previous.ok);
  CHECK(previous.step == step - 1);
  CHECK_FALSE(verify_totp(rfc_secret(), code_for_step(step - 2), now, identity::kNoTotpStepAccepted).ok);

  auto next = verify_totp(rfc_secret(), code_for_step(step + 1), now, identity::kNoTotpStepAccepted);
  CHECK(next.ok);
  CHECK(next.step == step + 1);
  CHECK_FALSE(verify_totp(rfc_secret(), code_for_step(step + 2), now, identity::kNoTotpStepAccepted).ok);
}

TEST_CASE("a code expires when the clock moves past its window", "[totp][V6.5.5]") {
  core::FakeClock clock(core::Clock::SystemTime(std::chrono::seconds(1'699'999'990)));  // 10 s into a step
  REQUIRE(unix_s(clock) % 30 == 10);
  std::int64_t step = unix_s(clock) / 30;
  std::string code = code_for_step(step);

  clock.advance(std::chrono::seconds(49));  // last second of the next step
  CHECK(verify_totp(rfc_secret(), code, clock.system_now(), identity::kNoTotpStepAccepted).ok);
  clock.advance(std::chrono::seconds(1));  // two steps later
  CHECK_FALSE(verify_totp(rfc_secret(), code, clock.system_now(), identity::kNoTotpStepAccepted).ok);
}

TEST_CASE("a code does not work twice", "[totp][V6.5.1]") {
  core::FakeClock clock;
  std::int64_t step = unix_s(clock) / 30;
  std::string code = code_for_step(step);

  auto first = verify_totp(rfc_secret(), code, clock.system_now(), identity::kNoTotpStepAccepted);
  REQUIRE(first.ok);
  CHECK_FALSE(verify_totp(rfc_secret(), code, clock.system_now(), first.step).ok);

  // Still refused in the next step, while the code is otherwise inside the window.
  clock.advance(std::chrono::seconds(30));
  CHECK_FALSE(verify_totp(rfc_secret(), code, clock.system_now(), first.step).ok);
  // A fresh code for the new step is fine.
  CHECK(verify_totp(rfc_secret(), code_for_step(step + 1), clock.system_now(), first.step).ok);
}

TEST_CASE("an older step's code is refused after a newer one was accepted", "[totp][V6.5.1]") {
  core::FakeClock clock;
  std::int64_t step = unix_s(clock) / 30;
  auto newer = verify_totp(rfc_secret(), code_for_step(step + 1), clock.system_now(), identity::kNoTotpStepAccepted);
  REQUIRE(newer.ok);
  CHECK_FALSE(verify_totp(rfc_secret(), code_for_step(step), clock.system_now(), newer.step).ok);
  CHECK_FALSE(verify_totp(rfc_secret(), code_for_step(step - 1), clock.system_now(), newer.step).ok);
}

TEST_CASE("malformed codes are refused before any comparison", "[totp][V6.5.5]") {
  core::FakeClock clock;
  std::string good = code_for_step(unix_s(clock) / 30);
  REQUIRE(verify_totp(rfc_secret(), good, clock.system_now(), identity::kNoTotpStepAccepted).ok);

  const std::string bad[] = {
      "",
      good.substr(0, 5),
      good + "0",
      good.substr(0, 2) + " " + good.substr(3),
      good.substr(0, 5) + "a",
      " " + good,
      good + "\n",
      std::string(good).append(1, '\0'),
      "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6",  // Arabic-Indic digits 123456
      "\xd9\xa1\xd9\xa2\xd9\xa3",  // Arabic-Indic 123: six bytes, none an ASCII digit
      "+12345",
      "-12345",
  };
  for (const auto& code : bad) {
    CAPTURE(code);
    CHECK_FALSE(verify_totp(rfc_secret(), code, clock.system_now(), identity::kNoTotpStepAccepted).ok);
  }
}

TEST_CASE("a code for another secret is refused", "[totp]") {
  core::FakeClock clock;
  core::SeededRandom random(7);
  auto other = identity::new_totp_secret(random);
  std::string code = code_for_step(unix_s(clock) / 30);
  CHECK_FALSE(verify_totp(other.bytes(), code, clock.system_now(), identity::kNoTotpStepAccepted).ok);
}

TEST_CASE("new TOTP secrets are 160 bits from the random source", "[totp][V6.5.3]") {
  core::SeededRandom random(1);
  std::set<core::Bytes> seen;
  for (int i = 0; i < 50; ++i) {
    auto s = identity::new_totp_secret(random);
    CHECK(s.size() == 20);
    seen.insert(s.bytes());
  }
  CHECK(seen.size() == 50);
}

TEST_CASE("base32 matches the RFC 4648 §10 vectors", "[totp]") {
  CHECK(b32("") == "");
  CHECK(b32("f") == "MY");
  CHECK(b32("fo") == "MZXQ");
  CHECK(b32("foo") == "MZXW6");
  CHECK(b32("foob") == "MZXW6YQ");
  CHECK(b32("fooba") == "MZXW6YTB");
  CHECK(b32("foobar") == "MZXW6YTBOI");

  CHECK(decoded("") == "");
  CHECK(decoded("MY") == "f");
  CHECK(decoded("MY======") == "f");
  CHECK(decoded("MZXQ====") == "fo");
  CHECK(decoded("MZXW6===") == "foo");
  CHECK(decoded("MZXW6YQ=") == "foob");
  CHECK(decoded("MZXW6YTB") == "fooba");
  CHECK(decoded("MZXW6YTBOI======") == "foobar");
}

TEST_CASE("base32 decoding takes lower case and spaces, and round-trips secrets", "[totp]") {
  CHECK(decoded("mzxw 6ytb oi") == "foobar");
  CHECK(decoded("MzXw6YtBoI") == "foobar");
  core::SeededRandom random(3);
  auto secret = identity::new_totp_secret(random);
  auto back = base32_decode(base32_encode(secret.bytes()));
  REQUIRE(back.has_value());
  CHECK(*back == secret.bytes());
}

TEST_CASE("base32 decoding refuses garbage", "[totp]") {
  const char* bad[] = {
      "MZXW6YTB1",          // '1' is not in the alphabet
      "MZXW0",              // nor is '0'
      "M",                  // one character cannot encode a byte
      "MZX",                // 3-character final quantum is impossible
      "MZXW6Y",             // so is 6
      "MZ======",           // 'Z' leaves non-zero pad bits
      "MY=",                // padding that does not complete the block
      "MY=======",          // too much padding
      "MZXW6YTB========",   // padding after a full block
      "MY==MY==",           // data after padding
      "MZXW-6YTB",          // dashes are not accepted
      "MZXW\t6YTB",         // nor tabs
      "MZXW6YT\xc3\x9f",    // nor non-ASCII
  };
  for (const char* s : bad) {
    CAPTURE(s);
    CHECK_FALSE(base32_decode(s).has_value());
  }
}

TEST_CASE("the otpauth URI is exact and percent-encodes issuer and account", "[totp]") {
  CHECK(identity::otpauth_uri("Airlock", "alice@example.com", rfc_secret()) ==
        "otpauth://totp/Airlock:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Airlock"
        "&algorithm=SHA1&digits=6&period=30");
  CHECK(identity::otpauth_uri("Acme Co & Sons", "b:o/b?x=1#y", crypto::byte_view("f")) ==
        "otpauth://totp/Acme%20Co%20%26%20Sons:b%3Ao%2Fb%3Fx%3D1%23y?secret=MY&issuer=Acme%20Co%20%26%20Sons"
        "&algorithm=SHA1&digits=6&period=30");
  CHECK(identity::otpauth_uri("Ünï", "a.b_c-d~e", crypto::byte_view("f")) ==
        "otpauth://totp/%C3%9Cn%C3%AF:a.b_c-d~e?secret=MY&issuer=%C3%9Cn%C3%AF&algorithm=SHA1&digits=6&period=30");
}
