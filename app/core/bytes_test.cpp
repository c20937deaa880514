#include "core/bytes.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::core;

TEST_CASE("hex round-trips and refuses odd lengths and non-hex characters", "[core]") {
  Bytes b{0x00, 0x7f, 0x80, 0xff};
  CHECK(to_hex(b) == "007f80ff");
  CHECK(from_hex("007F80ff") == b);
  CHECK_FALSE(from_hex("abc").has_value());
  CHECK_FALSE(from_hex("zz").has_value());
}

TEST_CASE("base64url matches RFC 4648 test vectors without padding", "[core]") {
  auto enc = [](std::string s) { return to_base64url(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
  CHECK(enc("") == "");
  CHECK(enc("f") == "Zg");
  CHECK(enc("fo") == "Zm8");
  CHECK(enc("foo") == "Zm9v");
  CHECK(enc("foob") == "Zm9vYg");
  CHECK(enc("fooba") == "Zm9vYmE");
  CHECK(enc("foobar") == "Zm9vYmFy");
  Bytes ff{0xfb, 0xff};
  CHECK(to_base64url(ff) == "-_8");
  CHECK(from_base64url("-_8") == ff);
}

TEST_CASE("base64url decoding refuses padding, bad characters and non-canonical tails", "[core]") {
  CHECK_FALSE(from_base64url("Zg==").has_value());
  CHECK_FALSE(from_base64url("Z+8").has_value());
  CHECK_FALSE(from_base64url("Z").has_value());
  CHECK_FALSE(from_base64url("Zh").has_value());  // "Zg" with a stray low bit set
  CHECK(from_base64url("Zg").has_value());
}

TEST_CASE("constant-time compare is equality and distinguishes lengths", "[core][V11.2.4]") {
  CHECK(ct_equal("secret", "secret"));
  CHECK_FALSE(ct_equal("secret", "secreT"));
  CHECK_FALSE(ct_equal("secret", "secret2"));
  CHECK(ct_equal("", ""));
}

TEST_CASE("SecretBytes wipes its buffer when moved from", "[core]") {
  SecretBytes a(Bytes{1, 2, 3});
  SecretBytes b(std::move(a));
  CHECK(a.empty());  // NOLINT: checking the moved-from state on purpose
  CHECK(b.size() == 3);
  auto c = b.clone();
  CHECK(c.bytes() == b.bytes());
}
