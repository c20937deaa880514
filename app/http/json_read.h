#pragma once
// Every JSON text from outside (client bodies, CSP reports, upstream answers and SSE events, the
// provisioning file) is read here, and bounded while it is read: nlohmann's dump(), copy and
// comparison recurse, so a 200 KB body nested 100,000 deep would overflow a 256 KiB worker stack
// the first time anything touched it. The document is built by our own SAX handler, so:
//   - nesting deeper than `max_depth` stops the parse at that level (json_too_deep);
//   - an object with more than `max_members` keys or an array with more than `max_items`
//     elements stops it too (json_too_many_members): work per body stays linear and small;
//   - a key repeated in one object is refused (duplicate_key): two parsers that keep different
//     copies of a repeated key would disagree about what was asked for (ASVS V15.3.7);
//   - anything after the value, a NUL included, is invalid_json (nlohmann's lexer would stop at
//     a NUL and ignore the rest).
// Invalid UTF-8 inside strings is invalid_json (nlohmann's lexer checks it), so nothing read here
// can make a later dump() throw. Never throws.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace airlock::http {

struct JsonLimits {
  int max_depth = 64;
  std::size_t max_members = 1000;
  std::size_t max_items = 100000;
};

// The stable error codes `error` receives: invalid_json, duplicate_key, json_too_deep,
// json_too_many_members.
std::optional<nlohmann::json> parse_json_strict(std::string_view text, std::string* error = nullptr,
                                                const JsonLimits& limits = {});
// The same, keeping the members of each object in the order they were sent (bodies that are
// forwarded: what goes on is what came in, field order included).
std::optional<nlohmann::ordered_json> parse_json_strict_ordered(std::string_view text, std::string* error = nullptr,
                                                                const JsonLimits& limits = {});

// The client-facing sentence for one of the codes above.
std::string_view json_error_message(std::string_view code);

}  // namespace airlock::http
