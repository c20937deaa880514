#pragma once
// E-mail addresses as login names: trimmed, lower-cased, and checked for a plausible shape only
// (no mail is ever sent; the address is an identifier).
#include <optional>
#include <string>
#include <string_view>

namespace airlock::identity {

// nullopt when it is not `local@domain` with printable ASCII, at most 254 characters.
std::optional<std::string> normalize_email(std::string_view raw);

}  // namespace airlock::identity
