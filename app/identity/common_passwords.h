#pragma once
// The embedded common-password list (NIST SP 800-63B §3.1.1.2, ASVS V6.2.4): john-data's
// password.lst, turned into a source file at build time by cmake/common_passwords.cmake.
#include <algorithm>
#include <span>
#include <string_view>

namespace airlock::identity {

// Every entry, ASCII-lower-cased, sorted bytewise, without duplicates. Static storage.
std::span<const std::string_view> common_passwords();

// REQUIRES: `lowercase` has its ASCII letters lower-cased (other bytes are compared as they are).
inline bool is_common_password(std::string_view lowercase) {
  const auto list = common_passwords();
  return std::binary_search(list.begin(), list.end(), lowercase);
}

}  // namespace airlock::identity
