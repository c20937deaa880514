#pragma once
// Airlock's own request/response types, filled by the listener (http/connection.cpp) from its
// parser (net/http1.h). A Request's views point into the connection's buffer: valid for the
// handler call, and for an async handler until its response has ended.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace airlock::http {

struct Request {
  std::string_view method;
  std::string_view path;   // decoded path, no query
  std::string_view target; // as sent (path and query), for logs never; kept for redirects
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  std::string client_ip;
  std::string request_id;
  std::map<std::string, std::string, std::less<>> path_params;

  // Case-insensitive; the first value when a header repeats. nullptr when absent.
  const std::string_view* header(std::string_view name) const;
  // The body as an application/x-www-form-urlencoded form (parsed once); nullptr when the body is
  // not a valid form of that type (see http/form.h for what "valid" means).
  const std::map<std::string, std::string>* form() const;
  // A form field or "" when absent.
  std::string form_field(const std::string& name) const;
  // The query string as a form (parse_form rules: a repeated name makes it invalid); nullptr when
  // there is none or it is invalid. query_param: one value, or "" when absent or invalid.
  const std::map<std::string, std::string>* query() const;
  std::string query_param(const std::string& name) const;
  // A query string, or a body sent as a form, that cannot be read (a bad escape, invalid UTF-8, a
  // repeated or missing name, too many fields): refused at the edge before any handler runs.
  bool unreadable_params() const;

 private:
  mutable std::optional<std::optional<std::map<std::string, std::string>>> form_;
  mutable std::optional<std::optional<std::map<std::string, std::string>>> query_;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Sent this long after the handler returned (the sign-in delay of identity/lockout.h). The
  // listener waits on a timer, so a delayed answer holds no thread.
  std::chrono::milliseconds delay{0};

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

bool iequals(std::string_view a, std::string_view b);

// 303 See Other to `location` (POST-redirect-GET, and "sign in first").
Response redirect(std::string location);

}  // namespace airlock::http
