#include "http/json_read.h"

#include <type_traits>
#include <unordered_set>
#include <vector>

namespace airlock::http {
namespace {

// Builds the document itself rather than through nlohmann's DOM parser: that one inserts object
// members with ordered_map::operator[], a linear search per key, so 100,000 keys cost 5e9
// comparisons (12 s on the event loop). Here duplicates are found with a hash set per open object
// and members are appended, so the cost is linear in the text.
template <class Json>
class Builder {
 public:
  using string_t = typename Json::string_t;
  using object_t = typename Json::object_t;
  using array_t = typename Json::array_t;
  static constexpr bool kOrdered = !std::is_same_v<object_t, typename nlohmann::json::object_t>;

  explicit Builder(const JsonLimits& l) : limits_(l) {}

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(typename Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(typename Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(typename Json::number_float_t v, const string_t&) { return put(Json(v)); }
  bool string(string_t& v) { return put(Json(std::move(v))); }
  bool binary(typename Json::binary_t&) { return fail("invalid_json"); }  // never produced by text JSON

  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(string_t& k) {
    auto& f = stack_.back();
    if (++f.count > limits_.max_members) return fail("json_too_many_members");
    if constexpr (kOrdered) {
      if (!keys_[stack_.size() - 1].insert(k).second) return fail("duplicate_key");
    } else {
      if (f.node->template get_ref<object_t&>().count(k)) return fail("duplicate_key");
    }
    f.key = std::move(k);
    return true;
  }

  template <class E>
  bool parse_error(std::size_t, const std::string&, const E&) {
    if (error_.empty()) error_ = "invalid_json";
    return false;
  }

  Json root;
  std::string error_;

 private:
  struct Frame {
    Json* node;
    string_t key;
    std::size_t count = 0;
  };

  bool fail(const char* code) {
    error_ = code;
    return false;
  }

  // Adds `v` where the parse is; returns the stored value (for containers about to be filled).
  Json* place(Json&& v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    auto& f = stack_.back();
    if (f.node->is_array()) {
      auto& arr = f.node->template get_ref<array_t&>();
      arr.push_back(std::move(v));
      return &arr.back();
    }
    auto& obj = f.node->template get_ref<object_t&>();
    if constexpr (kOrdered) {
      // ordered_map is a vector of pairs: append without its linear search (duplicates are
      // already refused in key()).
      auto& vec = static_cast<typename object_t::Container&>(obj);
      vec.emplace_back(std::move(f.key), std::move(v));
      return &vec.back().second;
    } else {
      return &obj.emplace(std::move(f.key), std::move(v)).first->second;
    }
  }

  bool put(Json&& v) {
    if (!stack_.empty() && stack_.back().node->is_array() && ++stack_.back().count > limits_.max_items)
      return fail("json_too_many_members");
    place(std::move(v));
    return true;
  }

  bool open(Json&& container) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) return fail("json_too_deep");
    if (!stack_.empty() && stack_.back().node->is_array() && ++stack_.back().count > limits_.max_items)
      return fail("json_too_many_members");
    bool is_object = container.is_object();
    Json* node = place(std::move(container));
    stack_.push_back(Frame{node, {}, 0});
    if constexpr (kOrdered) {
      if (is_object) {
        if (keys_.size() < stack_.size()) keys_.resize(stack_.size());
        keys_[stack_.size() - 1].clear();
      }
    }
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  const JsonLimits& limits_;
  std::vector<Frame> stack_;
  std::vector<std::unordered_set<string_t>> keys_;  // one per depth, reused: ordered objects only
};

template <class Json>
std::optional<Json> parse_bounded(std::string_view text, std::string* error, const JsonLimits& limits) {
  auto refuse = [&](const std::string& code) -> std::optional<Json> {
    if (error) *error = code;
    return std::nullopt;
  };
  if (text.find('\0') != std::string_view::npos) return refuse("invalid_json");
  Builder<Json> b(limits);
  bool ok = Json::sax_parse(text.begin(), text.end(), &b, nlohmann::json::input_format_t::json, /*strict=*/true);
  if (!ok) return refuse(b.error_.empty() ? "invalid_json" : b.error_);
  return std::move(b.root);
}

}  // namespace

std::optional<nlohmann::json> parse_json_strict(std::string_view text, std::string* error, const JsonLimits& limits) {
  return parse_bounded<nlohmann::json>(text, error, limits);
}

std::optional<nlohmann::ordered_json> parse_json_strict_ordered(std::string_view text, std::string* error,
                                                                const JsonLimits& limits) {
  return parse_bounded<nlohmann::ordered_json>(text, error, limits);
}

std::string_view json_error_message(std::string_view code) {
  if (code == "duplicate_key") return "A JSON object in the body repeats a key.";
  if (code == "json_too_deep") return "The JSON nests objects and arrays more than 64 levels deep.";
  if (code == "json_too_many_members")
    return "A JSON object has more than 1000 members, or an array more than 100000 elements.";
  return "The body is not valid JSON.";
}

}  // namespace airlock::http
