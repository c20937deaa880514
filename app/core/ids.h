#pragma once
// Typed row ids: a UserId cannot be passed where a SessionId is expected, and ids from a URL are
// parsed once, at the edge, into one of these.
#include <charconv>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace airlock::core {

template <typename Tag>
struct Id {
  std::int64_t value = 0;
  constexpr Id() = default;
  constexpr explicit Id(std::int64_t v) : value(v) {}
  auto operator<=>(const Id&) const = default;
  std::string str() const { return std::to_string(value); }
  // Positive decimal without sign, leading zeros or junk; anything else is not an id.
  static std::optional<Id> parse(std::string_view s) {
    if (s.empty() || s.size() > 18 || s[0] == '0') return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
    return Id(v);
  }
};

using UserId = Id<struct UserIdTag>;
using SessionId = Id<struct SessionIdTag>;
using TokenId = Id<struct TokenIdTag>;
using KeyId = Id<struct KeyIdTag>;            // gateway keys
using ProviderId = Id<struct ProviderIdTag>;
using ModelId = Id<struct ModelIdTag>;

}  // namespace airlock::core
