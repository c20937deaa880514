#pragma once
// application/x-www-form-urlencoded bodies and query strings, and the Cookie header.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace airlock::http {

// Percent-decoding, with '+' as space for forms and queries (not in a path). nullopt on a
// malformed escape or when the result is not well-formed UTF-8.
std::optional<std::string> url_decode(std::string_view s, bool plus_is_space = true);
std::string url_encode(std::string_view s);

// Parses "a=1&b=2". A repeated name, a malformed escape, invalid UTF-8 or more than `max_fields` fields makes the
// whole form invalid (nullopt): a form we validate is the form we act on, with no ambiguity.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body, std::size_t max_fields = 64);

// The value of cookie `name` from a Cookie header, or nullopt.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);

}  // namespace airlock::http
