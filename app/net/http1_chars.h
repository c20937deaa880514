#pragma once
// Internal to app/net/http1*.cpp: byte classes and limits shared by the head parser and the
// chunked decoder.
#include <array>
#include <cstdint>
#include <string_view>

#include "net/http1.h"

namespace airlock::net::http1::detail {

// One table lookup per byte keeps the scan loops branch-light.
enum : std::uint8_t {
  kTchar = 1 << 0,
  kVchar = 1 << 1,      // %x21-7E
  kFieldByte = 1 << 2,  // HTAB SP VCHAR obs-text: field values, reason phrases
  kHex = 1 << 3,
  kHostByte = 1 << 4,
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0x21; c <= 0x7e; ++c) t[c] |= kVchar | kFieldByte;
  for (int c = 0x80; c <= 0xff; ++c) t[c] |= kFieldByte;
  t['\t'] |= kFieldByte;
  t[' '] |= kFieldByte;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kTchar | kHex | kHostByte;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kTchar | kHostByte;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kTchar | kHostByte;
  for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
  for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] |= kTchar;
  for (unsigned char c : std::string_view("-._~%!$&'()*+,;=:[]")) t[c] |= kHostByte;
  return t;
}
inline constexpr std::array<std::uint8_t, 256> kClass = make_classes();

inline bool is(char c, std::uint8_t cls) { return (kClass[static_cast<unsigned char>(c)] & cls) != 0; }
inline bool is_ows(char c) { return c == ' ' || c == '\t'; }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

inline constexpr int kMaxLeadingEmptyLines = 4;
inline constexpr std::uint32_t kMaxSizeDigits = 16;
inline constexpr std::uint32_t kMaxSizeLine = 256;
inline constexpr std::uint32_t kMaxTrailerBytes = 4096;
inline constexpr std::uint64_t kFramingAllowance = 64 * 1024;  // K7

constexpr Error bad(std::string_view detail) { return {400, "bad_request", detail}; }
inline constexpr Error kHeadTooLarge{431, "headers_too_large", "head exceeds max_head_bytes"};
inline constexpr Error kTooManyFields{431, "headers_too_large", "more than max_headers fields"};
inline constexpr Error kTargetTooLong{414, "uri_too_long", "request-target exceeds max_target"};
inline constexpr Error kVersion{505, "http_version_not_supported", "HTTP version other than 1.0 or 1.1"};
inline constexpr Error kExpectation{417, "expectation_failed", "Expect other than 100-continue"};
inline constexpr Error kBodyTooLarge{413, "payload_too_large", "chunked body exceeds max_total"};
inline constexpr Error kTrailerTooLarge{431, "headers_too_large", "trailer section exceeds 4096 bytes"};

}  // namespace airlock::net::http1::detail
