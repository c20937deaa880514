#pragma once
// The one JSON error shape for every JSON endpoint:
//   {"error":{"type":…,"code":…,"message":…,"request_id":…}}
// `code` values are stable snake_case identifiers; once released they never change. Messages are
// written for the client: never a stack trace, an internal path, SQL text or exception text.
#include <nlohmann/json.hpp>
#include <string_view>

#include "http/message.h"

namespace airlock::http {

// The "type" for a status: invalid_request_error, authentication_error, permission_error,
// not_found_error, conflict_error, rate_limit_error, api_error, ...
std::string_view error_type_for_status(int status);

Response error_response(int status, std::string_view code, std::string_view message, std::string_view request_id);
// The same with extra members inside "error" (e.g. "fields": per-field problems).
Response error_response(int status, std::string_view code, std::string_view message, std::string_view request_id,
                        const nlohmann::json& extra);

// Fixed public texts for the statuses the server itself produces.
std::string_view default_error_message(int status);

}  // namespace airlock::http
