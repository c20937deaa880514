#include "http/json_body.h"

#include <vector>

#include "core/bytes.h"
#include "http/errors.h"

namespace airlock::http {

std::variant<JsonBody, Response> JsonBody::read(const Request& req) {
  if (req.body.empty()) return JsonBody(nlohmann::json::object());
  auto* ct = req.header("Content-Type");
  std::string_view type = ct ? ct->substr(0, ct->find(';')) : std::string_view();
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (!iequals(type, "application/json"))
    return error_response(415, "unsupported_media_type", "Send the body as application/json.", req.request_id);
  std::string err;
  auto j = parse_json_strict(req.body, &err);
  if (!j) return error_response(400, err, json_error_message(err), req.request_id);
  if (!j->is_object())
    return error_response(400, "not_an_object", "The body must be a JSON object.", req.request_id);
  return JsonBody(std::move(*j));
}

namespace {
// Iterative, so no document shape can make the wipe itself recurse.
void wipe(nlohmann::json& root) {
  std::vector<nlohmann::json*> todo{&root};
  while (!todo.empty()) {
    auto* j = todo.back();
    todo.pop_back();
    if (j->is_string()) {
      auto& s = j->get_ref<std::string&>();
      core::secure_zero(s.data(), s.size());
    } else if (j->is_structured()) {
      for (auto& v : *j) todo.push_back(&v);
    }
  }
}
}  // namespace

JsonBody::~JsonBody() { wipe(json_); }

const nlohmann::json* JsonBody::take(const std::string& key) {
  seen_.insert(key);
  auto it = json_.find(key);
  return it == json_.end() ? nullptr : &*it;
}

std::optional<std::string> JsonBody::string(const std::string& key, std::size_t max_bytes) {
  auto* v = take(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    problems_[key] = "must be a string";
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    problems_[key] = "is longer than " + std::to_string(max_bytes) + " bytes";
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> JsonBody::string_list(const std::string& key, std::size_t max_items,
                                                              std::size_t max_bytes) {
  auto* v = take(key);
  if (!v) return std::nullopt;
  std::string rule = "must be a list of at most " + std::to_string(max_items) + " strings of at most " +
                     std::to_string(max_bytes) + " bytes";
  if (!v->is_array() || v->size() > max_items) {
    problems_[key] = rule;
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string() || item.get_ref<const std::string&>().size() > max_bytes) {
      problems_[key] = rule;
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<bool> JsonBody::boolean(const std::string& key) {
  auto* v = take(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    problems_[key] = "must be true or false";
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::int64_t> JsonBody::integer(const std::string& key, std::int64_t min, std::int64_t max) {
  auto* v = take(key);
  if (!v) return std::nullopt;
  std::string range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_number_integer()) {
    problems_[key] = range;
    return std::nullopt;
  }
  // Unsigned values beyond int64 and anything outside the range are refused, never clamped.
  if (v->is_number_unsigned() && (max < 0 || v->get<std::uint64_t>() > static_cast<std::uint64_t>(max))) {
    problems_[key] = range;
    return std::nullopt;
  }
  auto n = v->get<std::int64_t>();
  if (n < min || n > max) {
    problems_[key] = range;
    return std::nullopt;
  }
  return n;
}

void JsonBody::missing(const std::string& key) {
  if (!problems_.contains(key)) problems_[key] = "is required";  // a type error says more
}

std::optional<Response> JsonBody::refusal(const Request& req) const {
  auto problems = problems_;
  for (auto it = json_.begin(); it != json_.end(); ++it)
    if (!seen_.count(it.key())) problems[it.key()] = "is not a known field";
  if (problems.empty()) return std::nullopt;
  return error_response(422, "invalid_fields", "Some fields are missing or not valid.", req.request_id,
                        {{"fields", problems}});
}

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace airlock::http
