#include "identity/totp.h"

#include <mbedtls/md.h>

#include <array>
#include <cassert>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace airlock::identity {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::array<std::uint32_t, 9> kPow10 = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000,
                                                 100'000'000};

// HMAC cannot fail on valid arguments; if it does the build is broken, and a wrong code would be
// worse than stopping.
[[noreturn]] void die(const char* what, int rc) {
  std::fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"%s failed\",\"mbedtls\":%d}\n", what, rc);
  std::abort();
}

std::array<std::uint8_t, 20> hmac_sha1(ByteView key, const std::uint8_t* msg, std::size_t len) {
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
  if (info == nullptr) die("sha1 lookup", 0);
  static constexpr std::uint8_t kEmpty = 0;
  std::array<std::uint8_t, 20> out{};
  int rc = mbedtls_md_hmac(info, key.empty() ? &kEmpty : key.data(), key.size(), msg, len, out.data());
  if (rc != 0) die("hmac_sha1", rc);
  return out;
}

std::int64_t step_of(std::int64_t unix_seconds) {
  // Floor division, so an instant before 1970 never lands in step 0.
  std::int64_t q = unix_seconds / kTotpStepSeconds;
  return (unix_seconds % kTotpStepSeconds < 0) ? q - 1 : q;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

}  // namespace

std::string hotp(ByteView secret, std::uint64_t counter, int digits) {
  assert(digits >= 6 && digits <= 8 && "RFC 4226 §5.3: HOTP values have 6 to 8 digits");
  std::array<std::uint8_t, 8> msg{};
  for (int i = 7; i >= 0; --i) {
    msg[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  auto mac = hmac_sha1(secret, msg.data(), msg.size());
  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes, top bit dropped.
  std::size_t offset = mac[19] & 0x0f;
  std::uint32_t bin = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                      (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                      (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  core::secure_zero(mac.data(), mac.size());
  std::uint32_t value = bin % kPow10[static_cast<std::size_t>(digits)];
  std::string code(static_cast<std::size_t>(digits), '0');
  for (auto it = code.rbegin(); it != code.rend(); ++it) {
    *it = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return code;
}

std::string totp_at(ByteView secret, std::int64_t unix_seconds, int digits) {
  assert(unix_seconds >= 0 && "TOTP is defined from T0 = 0 onwards");
  return hotp(secret, static_cast<std::uint64_t>(step_of(unix_seconds)), digits);
}

TotpCheck verify_totp(ByteView secret, std::string_view code, core::Clock::SystemTime now,
                      std::int64_t last_accepted_step) {
  if (code.size() != static_cast<std::size_t>(kTotpDigits)) return {};
  for (char c : code) {
    if (c < '0' || c > '9') return {};
  }
  std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  std::int64_t current = step_of(now_s);

  // All candidates are checked, and the choice is made with masks rather than an early return,
  // so the work done does not depend on which step (if any) matched. Of two fresh matches the
  // later step wins, which keeps the stored high-water mark as high as possible.
  std::uint64_t found = 0;
  std::int64_t matched = kNoTotpStepAccepted;
  for (std::int64_t d = -kTotpWindowSteps; d <= kTotpWindowSteps; ++d) {
    std::int64_t step = current + d;
    if (step < 0) continue;  // depends only on the clock, not on the code
    std::string expected = hotp(secret, static_cast<std::uint64_t>(step), kTotpDigits);
    std::uint64_t hit = static_cast<std::uint64_t>(core::ct_equal(expected, code)) &
                        static_cast<std::uint64_t>(step > last_accepted_step);
    core::secure_zero(expected.data(), expected.size());
    std::uint64_t mask = 0 - hit;
    matched = static_cast<std::int64_t>((static_cast<std::uint64_t>(step) & mask) |
                                        (static_cast<std::uint64_t>(matched) & ~mask));
    found |= hit;
  }
  if (found == 0) return {};
  return TotpCheck{true, matched};
}

core::SecretBytes new_totp_secret(core::Random& random) { return random.secret(kTotpSecretBytes); }

std::string base32_encode(ByteView data) {
  std::string out;
  out.reserve((data.size() * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t b : data) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kBase32Alphabet[(buffer >> bits) & 0x1f]);
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(kBase32Alphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::optional<core::Bytes> base32_decode(std::string_view text) {
  core::Bytes out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t chars = 0;
  std::size_t pads = 0;
  for (char c : text) {
    if (c == ' ') continue;
    if (c == '=') {
      ++pads;
      continue;
    }
    if (pads > 0) return std::nullopt;  // data after padding
    int v = base32_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    ++chars;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(buffer >> bits));
    }
    buffer &= (1u << bits) - 1;
  }
  // RFC 4648 §6: a final quantum has 2, 4, 5 or 7 characters; 1, 3 or 6 cannot come from any input.
  std::size_t rem = chars % 8;
  if (rem == 1 || rem == 3 || rem == 6) return std::nullopt;
  if (pads != 0 && pads != (8 - rem) % 8) return std::nullopt;
  if (buffer != 0) return std::nullopt;  // RFC 4648 §3.5: pad bits must be zero
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, ByteView secret) {
  std::string enc_issuer = percent_encode(issuer);
  std::string uri = "otpauth://totp/";
  uri += enc_issuer;
  uri += ':';
  uri += percent_encode(account);
  uri += "?secret=";
  uri += base32_encode(secret);
  uri += "&issuer=";
  uri += enc_issuer;
  uri += "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) + "&period=" + std::to_string(kTotpStepSeconds);
  return uri;
}

}  // namespace airlock::identity
