#pragma once
// JSON request bodies for the management API, read strictly: the media type must be
// application/json, the body one object, read within json_read.h's bounds (depth, members, no
// repeated key, nothing after the value).
//
// Fields are then taken with the typed getters, which record what was wrong per field; a handler
// ends with `if (auto bad = body.refusal(req)) return *bad;` and sees only well-typed values.
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "http/json_read.h"
#include "http/message.h"

namespace airlock::http {

class JsonBody {
 public:
  // 415 unless Content-Type is application/json (parameters such as charset=utf-8 allowed); 400
  // invalid_json / duplicate_key / json_too_deep / json_too_many_members / not_an_object. An empty body counts as {} (for POSTs that take
  // no fields).
  static std::variant<JsonBody, Response> read(const Request& req);
  // Bodies carry passwords and codes: the parsed copy's strings are wiped when it goes.
  ~JsonBody();
  JsonBody(JsonBody&&) = default;
  JsonBody& operator=(JsonBody&&) = default;

  // Each getter returns nullopt when the field is absent, and records a "fields" problem when it
  // is present with the wrong type. Strings are taken up to `max_chars` bytes (longer is refused).
  std::optional<std::string> string(const std::string& key, std::size_t max_bytes = 1024);
  std::optional<bool> boolean(const std::string& key);
  // An array of at most `max_items` strings of at most `max_bytes` each.
  std::optional<std::vector<std::string>> string_list(const std::string& key, std::size_t max_items = 100,
                                                      std::size_t max_bytes = 200);
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max);
  // The whole object, for handlers that validate it as a whole (merging a PATCH into a record).
  const nlohmann::json& raw() const { return json_; }
  // Records `key` as required-but-missing.
  void missing(const std::string& key);

  // 422 with the per-field problems, including any key nobody asked for (unknown fields are
  // refused, so a typo like "requireMfa" cannot silently do nothing); nullopt when all is well.
  std::optional<Response> refusal(const Request& req) const;

 private:
  explicit JsonBody(nlohmann::json j) : json_(std::move(j)) {}
  const nlohmann::json* take(const std::string& key);
  nlohmann::json json_;
  std::set<std::string> seen_;
  nlohmann::json problems_ = nlohmann::json::object();
};

// A JSON response with the given status (compact, invalid UTF-8 replaced, never thrown on).
Response json_response(int status, const nlohmann::json& body);

}  // namespace airlock::http
