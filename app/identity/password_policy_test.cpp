#include "identity/password_policy.h"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "crypto/hash.h"
#include "identity/breached_passwords.h"
#include "identity/common_passwords.h"
#include "identity/service.h"
#include "support/identity_fixture.h"
#include "support/temp_dir.h"

using namespace airlock;

namespace {

// The refusal's code, or "" when the password is accepted.
std::string code_of(std::string_view password, std::string_view email = "someone@example.com") {
  return identity::check_password_policy(password, email).code();
}

std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += unit;
  return s;
}

// n code points alternating between `a` and `b` in Thue-Morse order: never periodic, so the
// repeated-pattern rule leaves it alone and only the length is under test.
std::string mixed(std::string_view a, std::string_view b, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += (__builtin_popcountll(i) % 2 == 0) ? a : b;
  return s;
}

const std::string kLock = "\xF0\x9F\x94\x92";  // U+1F512, four bytes, one code point
const std::string kEAcute = "\xC3\xA9";        // U+00E9, two bytes

}  // namespace

TEST_CASE("A password of 11 code points is refused and one of 12 accepted, counting characters not bytes",
          "[password][V6.2.1]") {
  CHECK(code_of(repeat(kLock, 11)) == "password_too_short");  // 44 bytes
  CHECK(code_of(mixed(kLock, "x", 12)).empty());
  CHECK(code_of(repeat(kEAcute, 11)) == "password_too_short");
  CHECK(code_of(mixed(kEAcute, "y", 12)).empty());
  CHECK(code_of("tangerine-k") == "password_too_short");
  CHECK(code_of("tangerine-kw").empty());
  CHECK(code_of("") == "password_too_short");
}

TEST_CASE("A password of 128 code points is accepted and one of 129 refused", "[password][V6.2.9]") {
  CHECK(code_of(mixed(kLock, kEAcute, 128)).empty());  // 384 bytes
  CHECK(code_of(repeat(kLock, 129)) == "password_too_long");
  CHECK(code_of(mixed("q", "z", 128)).empty());
  CHECK(code_of(repeat("q", 129)) == "password_too_long");
  CHECK(code_of(mixed(kEAcute, "r", 64) + mixed("q", "w", 64)).empty());
  CHECK(code_of(repeat(kEAcute, 64) + repeat("q", 65)) == "password_too_long");
}

TEST_CASE("Passwords that are not well-formed UTF-8 are refused", "[password]") {
  const std::string pad = "tangerine-kiwi-";
  // Each bad sequence is its own literal so a following character cannot extend a \x escape.
  for (const std::string bad : {
           "\xC0\xAF",              // overlong "/"
           "\xC1\xBF",              // overlong, C1 lead
           "\xE0\x80\xAF",          // overlong, three bytes
           "\xF0\x80\x80\xAF",      // overlong, four bytes
           "\xED\xA0\x80",          // U+D800, a surrogate
           "\xED\xBF\xBF",          // U+DFFF, a surrogate
           "\xF4\x90\x80\x80",      // U+110000, past the last code point
           "\xF5\x80\x80\x80",      // lead byte that can never occur
           "\xFF",                  // never valid
           "\x80",                  // continuation byte with no lead
           "\xE2\x82",              // truncated three-byte sequence
           "\xF0\x9F\x94",          // truncated emoji
           "\xC3",                  // truncated two-byte sequence
           "\xC3\x28",              // lead followed by a non-continuation
       }) {
    INFO("bytes: " << bad.size());
    CHECK(code_of(pad + bad) == "password_invalid_utf8");
    CHECK(code_of(bad + pad) == "password_invalid_utf8");
  }
}

TEST_CASE("The edges of well-formed UTF-8 are accepted", "[password]") {
  const std::string pad = "tangerine-kiwi-";
  for (const std::string good : {
           "\xC2\x80",          // U+0080, smallest two-byte
           "\xE0\xA0\x80",      // U+0800, smallest three-byte
           "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
           "\xEE\x80\x80",      // U+E000, just above them
           "\xEF\xBF\xBF",      // U+FFFF
           "\xF0\x90\x80\x80",  // U+10000, smallest four-byte
           "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last code point
       }) {
    CHECK(code_of(pad + good).empty());
  }
}

TEST_CASE("Length is checked before the common list, so a short common password is told to be longer",
          "[password][V6.2.4]") {
  CHECK(code_of("password") == "password_too_short");
  CHECK(code_of("password1") == "password_too_short");
  CHECK(code_of("123456") == "password_too_short");
}

TEST_CASE("A password of 12 or more characters from the common list is refused in any letter case",
          "[password][V6.2.4][V6.2.12]") {
  CHECK(code_of("winniethepooh") == "password_common");
  CHECK(code_of("WinnieThePooh") == "password_common");
  CHECK(code_of("WINNIETHEPOOH") == "password_common");
  // Only whole entries match: a longer password that merely contains one is fine.
  CHECK(code_of("winniethepooh and tigger").empty());
}

TEST_CASE("The embedded common-password list is sorted, unique, lower-cased and complete",
          "[password][V6.2.4]") {
  auto list = identity::common_passwords();
  CHECK(list.size() > 3000);
  CHECK(std::ranges::is_sorted(list));
  CHECK(std::ranges::adjacent_find(list) == list.end());
  CHECK(std::ranges::none_of(list, [](std::string_view s) {
    return s.empty() || std::ranges::any_of(s, [](char c) { return c >= 'A' && c <= 'Z'; });
  }));
  CHECK(std::ranges::none_of(list, [](std::string_view s) { return s.starts_with("#!comment:"); }));
  for (auto entry : {"123456", "password", "password1", "iloveyou!", "!@#$%^&*", "asdfjkl;", "x-files"}) {
    INFO(entry);
    CHECK(identity::is_common_password(entry));
  }
  CHECK_FALSE(identity::is_common_password("tangerine-kiwi-orbit"));
  CHECK_FALSE(identity::is_common_password("Password"));  // callers lower-case first
}

TEST_CASE("A long all-lowercase passphrase is accepted: there are no composition rules", "[password][V6.2.5]") {
  CHECK(code_of("tangerine kiwi orbit").empty());
  CHECK(code_of("correcthorsebatterystaple").empty());
}

TEST_CASE("A password containing the product name is refused in any letter case", "[password][V6.2.11]") {
  CHECK(code_of("my-airlock-password") == "password_contains_product");
  CHECK(code_of("MyAirLockPassword") == "password_contains_product");
  CHECK(code_of("AIRLOCK-AIRLOCK") == "password_contains_product");
  CHECK(code_of("air-lock-is-fine-here").empty());
}

TEST_CASE("A password containing the e-mail's local part is refused when that part has 3 or more characters",
          "[password][V6.2.11]") {
  CHECK(code_of("ferdinand-rocks-2026", "ferdinand@example.com") == "password_contains_email");
  CHECK(code_of("I-am-FERDINAND-here", "Ferdinand@example.com") == "password_contains_email");
  CHECK(code_of("tangerine-abc-kiwi", "abc@example.com") == "password_contains_email");
  CHECK(code_of("jo-jo-jo-jo-jo-jo", "jo@example.com").empty());
  CHECK(code_of("tangerine-kiwi-orbit", "ferdinand@example.com").empty());
  // The domain is not the user's to choose away from, only the local part counts.
  CHECK(code_of("example-tangerine", "ferdinand@example.com").empty());
  // A multi-byte local part counts in code points: two characters, four bytes, not checked.
  CHECK(code_of("tangerine-\xC3\xA9\xC3\xA9-kiwi", "\xC3\xA9\xC3\xA9@example.com").empty());
}

TEST_CASE("Every refusal has a user-facing sentence as its message", "[password]") {
  for (const std::string& pw : {std::string("short"), repeat("q", 129), std::string("pass\xFF-word-1234"),
                               std::string("winniethepooh"), std::string("airlock-airlock"),
                               std::string("ferdinand-rocks-2026")}) {
    auto s = identity::check_password_policy(pw, "ferdinand@example.com");
    REQUIRE_FALSE(s.is_ok());
    CHECK(s.message().size() > 10);
    CHECK(s.message().back() == '.');
  }
}

TEST_CASE("listed words padded with digits, repeated patterns and sequences are refused", "[password][V6.2.4][V6.2.12]") {
  using airlock::identity::check_password_policy;
  for (const char* weak : {"password1234", "1234password", "!!password!!", "Password2024!", "passwordpassword",
                           "abcabcabcabc", "aaaaaaaaaaaa", "121212121212", "123456789012", "abcdefghijkl",
                           "zyxwvutsrqpo", "987654321098", "qwertyqwerty"}) {
    INFO(weak);
    CHECK(check_password_policy(weak, "someone@example.com").code() == "password_common");
  }
  for (const char* fine : {"correct horse battery", "password manager rocks", "a9-Kx!p2#Lq7", "1password2go!",
                           "abcdefghijkx", "tr0ub4dor&3x"}) {
    INFO(fine);
    CHECK(check_password_policy(fine, "someone@example.com").is_ok());
  }
}

namespace {
// Appends each password's line to its prefix's range file, as the HIBP downloader lays them out.
void list_as_breached(const std::string& dir, std::initializer_list<std::string_view> passwords) {
  for (auto pw : passwords) {
    auto d = crypto::sha1(pw);
    std::string hex = core::to_hex(d.data(), d.size());
    std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::ofstream(dir + "/" + hex.substr(0, 5) + ".txt", std::ios::app) << hex.substr(5) << ":42\r\n";
  }
}
}  // namespace

TEST_CASE("A new password on the operator's breached list is refused, after the other rules", "[password][V6.2.12]") {
  testing::IdentityFixture f;
  const char* email = "someone@example.com";
  const std::string listed = "tangerine walrus orbit";
  CHECK(identity::check_new_password(f.d(), listed, email).is_ok());  // no list configured

  testing::TempDir dir;
  list_as_breached(dir.path(), {listed, "short", "password1234"});
  f.deps->policies.breached = std::make_shared<const identity::BreachedPasswords>(dir.path());
  auto refused = identity::check_new_password(f.d(), listed, email);
  CHECK(refused.code() == "password_breached");
  CHECK(refused.message() == "This password appears in a list of passwords exposed in data breaches. Choose another.");
  CHECK(identity::check_new_password(f.d(), "tangerine walrus orbit!", email).is_ok());
  // The cheaper rules answer first, with their more helpful messages.
  CHECK(identity::check_new_password(f.d(), "short", email).code() == "password_too_short");
  CHECK(identity::check_new_password(f.d(), "password1234", email).code() == "password_common");
}
