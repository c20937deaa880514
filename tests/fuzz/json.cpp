// libFuzzer target: the strict JSON body reader (http/json_body.h), both its sorted and its
// order-keeping parser. Both must accept and refuse the same texts with the same reason; whatever
// they accept must dump() without throwing (what the API does with a parsed body) and read back
// to the same value, so what is validated is what is forwarded.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/json_body.h"

using airlock::http::parse_json_strict;
using airlock::http::parse_json_strict_ordered;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string err, err_ordered;
  const auto j = parse_json_strict(text, &err);
  const auto o = parse_json_strict_ordered(text, &err_ordered);
  FUZZ_CHECK(j.has_value() == o.has_value());
  if (!j) {
    FUZZ_CHECK(err == err_ordered);
    FUZZ_CHECK(err == "invalid_json" || err == "duplicate_key" || err == "json_too_deep" ||
               err == "json_too_many_members");
    FUZZ_CHECK(!parse_json_strict(text));  // the error pointer is optional
    return 0;
  }

  const std::string sorted = j->dump();
  const std::string ordered = o->dump();
  // The sorted and the order-keeping value are the same JSON, and each reads back as itself.
  const auto again = parse_json_strict(sorted);
  FUZZ_CHECK(again && *again == *j);
  const auto again_ordered = parse_json_strict_ordered(ordered);
  FUZZ_CHECK(again_ordered && *again_ordered == *o);
  const auto cross = parse_json_strict(ordered);
  FUZZ_CHECK(cross && cross->dump() == sorted);
  return 0;
}
