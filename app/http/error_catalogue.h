#pragma once
// The one catalogue of error codes, with the HTTP status each one gets: what the console's services
// return (core::Status codes) and what the /v1 surface answers in either dialect. The services write the message for the client; this decides the
// status, and the type follows from it (http/errors.h). A code that is not here is an internal
// error: it reaches a client only as 500 internal_error, never with the service's own text, so a
// new code cannot leak as "invalid input" by accident. Codes are stable snake_case; once released
// they never change.
#include <optional>
#include <string_view>

namespace airlock::http {

struct ErrorKind {
  std::string_view code;
  int status;
  // A refusal by rule (who may do what), as opposed to bad input: audited as a denied attempt.
  bool rule_refusal = false;
};

// The entry for `code`, or nullopt for an internal one.
std::optional<ErrorKind> catalogued(std::string_view code);
// The status for `code`: the catalogue's, or 500.
int status_for_code(std::string_view code);

}  // namespace airlock::http
