// libFuzzer target: application/x-www-form-urlencoded bodies and query strings (http/form.h),
// which the console reads its forms and the router its query parameters with. The first input
// byte is a control byte: it sets the field cap (1..64). Checks: url_encode/url_decode round-trip
// the text, a parsed form has no empty names and at most the cap of fields, and re-encoding a
// parsed form parses back to the same fields.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/form.h"

using namespace airlock::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [ctrl, text] = airlock::fuzz::take_control_byte(data, size);
  const std::size_t max_fields = 1 + (ctrl & 63);

  // Decoding never grows the text; encoding then decoding gives back the bytes, '+' included
  // (text that is not UTF-8 may be refused; ASCII never is).
  for (bool plus : {true, false})
    if (auto d = url_decode(text, plus)) FUZZ_CHECK(d->size() <= text.size());
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  const std::string enc = url_encode(text);
  for (bool plus : {true, false}) {
    const auto back = url_decode(enc, plus);
    FUZZ_CHECK(back ? *back == text : !ascii);
  }

  const auto form = parse_form(text, max_fields);
  if (!form) return 0;
  FUZZ_CHECK(form->size() <= max_fields);
  std::string body;
  for (const auto& [name, value] : *form) {
    FUZZ_CHECK(!name.empty());
    body += (body.empty() ? "" : "&") + url_encode(name) + "=" + url_encode(value);
  }
  const auto again = parse_form(body, max_fields);
  FUZZ_CHECK(again && *again == *form);
  return 0;
}
