#include "identity/password_policy.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.h"
#include "identity/breached_passwords.h"
#include "identity/common_passwords.h"
#include "identity/service.h"

namespace airlock::identity {
namespace {

// ASVS V6.2.1 asks for at least 8 (15 recommended); V6.2.9 for at least 64 to be allowed.
constexpr std::size_t kMinCodePoints = 12;
constexpr std::size_t kMaxCodePoints = 128;
constexpr std::size_t kMinEmailLocalPart = 3;
constexpr std::string_view kProductName = "airlock";

// Well-formed UTF-8 per Unicode §3.9, Table 3-7: the second byte's range depends on the lead byte,
// which is what rules out overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
std::optional<std::size_t> count_code_points(std::string_view s) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t len = 0;
    std::uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
    if (b <= 0x7F) {
      len = 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;
      if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;
    } else {
      return std::nullopt;
    }
    if (s.size() - i < len) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      auto c = static_cast<std::uint8_t>(s[i + k]);
      std::uint8_t min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
      if (c < min || c > max) return std::nullopt;
    }
    i += len;
    ++count;
  }
  return count;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive for ASCII letters; compares in place so the password is not copied.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return ascii_lower(a) == ascii_lower(b); });
  return it != haystack.end();
}

bool is_filler(char c) { return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80); }

// The list's words are mostly shorter than our 12-character minimum, so a list lookup alone would
// let "password1234" through. Also refused: a listed word padded with digits or symbols at either
// end, a short unit or listed word repeated ("passwordpassword", "abcabcabcabc"), and a run of
// consecutive characters ("123456789012", "abcdefghijkl"): NIST SP 800-63B §3.1.1.2 names
// repetitive and sequential passwords alongside breached ones.
bool too_guessable(const std::string& lowered) {
  if (is_common_password(lowered)) return true;
  std::size_t b = 0, e = lowered.size();
  while (b < e && is_filler(lowered[b])) ++b;
  while (e > b && is_filler(lowered[e - 1])) --e;
  if (e - b >= 4 && (b > 0 || e < lowered.size()) && is_common_password(std::string_view(lowered).substr(b, e - b)))
    return true;
  for (std::size_t unit = 1; unit <= lowered.size() / 2; ++unit) {
    if (lowered.size() % unit != 0) continue;
    bool repeats = true;
    for (std::size_t i = unit; i < lowered.size() && repeats; ++i) repeats = lowered[i] == lowered[i - unit];
    if (repeats && (unit <= 4 || is_common_password(std::string_view(lowered).substr(0, unit)))) return true;
  }
  int step = lowered.size() > 1 ? lowered[1] - lowered[0] : 0;
  bool sequence = step == 1 || step == -1;
  for (std::size_t i = 2; i < lowered.size() && sequence; ++i) {
    int d = lowered[i] - lowered[i - 1];
    // Digit runs may wrap ("...7890123"), as on a keyboard row.
    bool wrap = (step == 1 && lowered[i - 1] == '9' && lowered[i] == '0') || (step == -1 && lowered[i - 1] == '0' && lowered[i] == '9');
    sequence = d == step || wrap;
  }
  return sequence;
}

bool on_common_list(std::string_view password) {
  std::string lowered(password);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), ascii_lower);
  bool common = too_guessable(lowered);
  core::secure_zero(lowered.data(), lowered.size());
  return common;
}

std::string_view local_part(std::string_view email) {
  auto at = email.rfind('@');
  return at == std::string_view::npos ? email : email.substr(0, at);
}

core::Status refuse(const char* code, const char* message) { return core::Status::error(code, message); }

}  // namespace

core::Status check_password_policy(std::string_view password, std::string_view email) {
  auto length = count_code_points(password);
  if (!length) {
    return refuse("password_invalid_utf8",
                  "The password contains characters that could not be read. Type it again.");
  }
  if (*length < kMinCodePoints) {
    return refuse("password_too_short", "Use at least 12 characters for your password.");
  }
  if (*length > kMaxCodePoints) {
    return refuse("password_too_long", "Use at most 128 characters for your password.");
  }
  if (on_common_list(password)) {
    return refuse("password_common",
                  "This password is too easy to guess (a common password, a repeated pattern or a simple "
                  "sequence). Choose another one.");
  }
  if (contains_ignoring_case(password, kProductName)) {
    return refuse("password_contains_product", "The password must not contain the word \"airlock\".");
  }
  auto local = local_part(email);
  auto local_length = count_code_points(local).value_or(local.size());
  if (local_length >= kMinEmailLocalPart && contains_ignoring_case(password, local)) {
    return refuse("password_contains_email",
                  "The password must not contain the part of your e-mail address before the @.");
  }
  return core::Status::ok();
}

core::Status check_new_password(const Deps& deps, std::string_view password, std::string_view email) {
  if (auto s = check_password_policy(password, email); !s) return s;
  if (deps.policies.breached && deps.policies.breached->contains(password)) {
    return refuse("password_breached",
                  "This password appears in a list of passwords exposed in data breaches. Choose another.");
  }
  return core::Status::ok();
}

}  // namespace airlock::identity
