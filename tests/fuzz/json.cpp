// libFuzzer target: the strict JSON body reader (http/json_body.h), both its sorted and its
// order-keeping parser. Both must accept and refuse the same texts with the same reason; whatever
// they accept must dump() without throwing (what the API does with a parsed body) and read back
// to the same value, so what is validated is what is forwarded. The DOM-less reader the stream
// guard monitors with (gateway/json_leaves.h) must see, for every text the strict parser accepts
// and it reads, the same strings in the same order, and accept nothing the strict parser refuses.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "gateway/json_leaves.h"
#include "http/json_body.h"

using airlock::http::parse_json_strict;
using airlock::http::parse_json_strict_ordered;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string err, err_ordered;
  const auto j = parse_json_strict(text, &err);
  const auto o = parse_json_strict_ordered(text, &err_ordered);
  FUZZ_CHECK(j.has_value() == o.has_value());
  std::vector<std::pair<std::string, bool>> seen;
  airlock::gateway::JsonLeaves leaves;
  bool read = leaves.read(text, [&](const std::vector<airlock::gateway::PathStep>&, std::string_view v, bool is_string) {
    seen.emplace_back(is_string ? std::string(v) : std::string(), is_string);
  });
  if (!j) {
    FUZZ_CHECK(!read);  // the DOM-less reader accepts nothing the strict parser refuses
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

  // The leaves in document order, from the order-keeping DOM.
  std::vector<std::pair<std::string, bool>> dom;
  std::function<void(const nlohmann::ordered_json&)> walk = [&](const nlohmann::ordered_json& v) {
    if (v.is_object() || v.is_array()) {
      for (const auto& x : v) walk(x);
    } else {
      dom.emplace_back(v.is_string() ? v.get<std::string>() : std::string(), v.is_string());
    }
  };
  walk(*o);
  // It may refuse what the DOM takes only for an escape in a key, an empty key, or its depth bound.
  if (read) {
    FUZZ_CHECK(seen == dom);
  } else {
    bool empty_key = false;
    std::size_t depth = 0;
    std::function<void(const nlohmann::ordered_json&, std::size_t)> shape = [&](const nlohmann::ordered_json& v, std::size_t d) {
      if (!v.is_object() && !v.is_array()) return;
      depth = std::max(depth, d + 1);
      if (v.is_object())
        for (const auto& [k, x] : v.items()) empty_key = empty_key || k.empty(), shape(x, d + 1);
      else
        for (const auto& x : v) shape(x, d + 1);
    };
    shape(*o, 0);
    FUZZ_CHECK(text.find('\\') != std::string_view::npos || empty_key || depth > airlock::gateway::JsonLeaves::kMaxDepth);
  }
  return 0;
}
