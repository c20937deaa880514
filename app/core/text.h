#pragma once
// Small text helpers: XML escaping for the SVG writers (QR codes, charts), and UTF-8 validation for
// every text that comes from outside.
#include <string>
#include <string_view>
#include <vector>

namespace airlock::core {

// Escapes &, <, >, " and ' so the text is safe in XML/HTML content and quoted attributes.
std::string xml_escape(std::string_view s);

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. Input
// that fails this is refused at the edge, so nothing later (a strict dump(), the store, a
// template) meets bytes it cannot handle.
bool valid_utf8(std::string_view s);

// The items of an operator's list setting: separated by commas or white space, empty ones skipped.
std::vector<std::string_view> list_items(std::string_view text);

}  // namespace airlock::core
