#pragma once
// Small text helpers shared by the SVG writers (QR codes, charts).
#include <string>
#include <string_view>

namespace airlock::core {

// Escapes &, <, >, " and ' so the text is safe in XML/HTML content and quoted attributes.
std::string xml_escape(std::string_view s);

}  // namespace airlock::core
