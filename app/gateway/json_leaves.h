#pragma once
// The scalar values of a JSON text with their paths, in one pass and without building a DOM. The
// stream guard's monitor mode reads each event's text this way: parsing every event into a DOM was
// most of what a stream cost when many events arrive at once (bench/run.sh, burst). Strings are
// decoded (escapes, \u surrogate pairs); other scalars come as their text.
//
// read() accepts no more than http::parse_json_strict does (one value; UTF-8; no NUL, repeated key
// or malformed number; its depth, member and item bounds), and also refuses a key that holds an
// escape or is empty (no event an SDK reads has one): the caller then reads the event the slow way,
// so a monitored event is judged the same either way. The fuzz target `json` checks both: what is
// read here the strict parser accepts, with the same strings in the same order.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::gateway {

struct PathStep {
  std::string_view key;    // the member's name; empty for an array element
  std::int64_t index = 0;  // the element's position in its array
};

class JsonLeaves {
 public:
  static constexpr std::size_t kMaxDepth = 64;        // as http::JsonLimits
  static constexpr std::size_t kMaxMembers = 1000;
  static constexpr std::size_t kMaxItems = 100000;
  using OnLeaf = std::function<void(const std::vector<PathStep>& path, std::string_view value, bool is_string)>;
  bool read(std::string_view text, const OnLeaf& on_leaf);

 private:
  bool value(const OnLeaf& on_leaf);
  bool string(std::string& out, bool decode);
  void ws();
  std::string_view in_;
  std::size_t at_ = 0;
  std::vector<PathStep> path_;
  std::string buf_;  // the current string's decoded text (kept for its capacity)
  std::vector<std::vector<std::string_view>> keys_;  // per depth: the names seen in the open object
};

}  // namespace airlock::gateway
