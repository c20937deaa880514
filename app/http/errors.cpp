#include "http/errors.h"

#include <nlohmann/json.hpp>

namespace airlock::http {

std::string_view error_type_for_status(int status) {
  switch (status) {
    case 400: case 405: case 411: case 413: case 414: case 415: case 422: case 431:
      return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 408: return "timeout_error";
    case 409: return "conflict_error";
    case 429: return "rate_limit_error";
    case 503: return "unavailable_error";
    default: return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string_view default_error_message(int status) {
  switch (status) {
    case 400: return "The request could not be parsed.";
    case 401: return "Authentication is required.";
    case 403: return "You do not have access to this resource.";
    case 404: return "No such resource.";
    case 405: return "This method is not allowed on this resource.";
    case 408: return "The request took too long to arrive.";
    case 411: return "A Content-Length is required.";
    case 413: return "The request body is too large.";
    case 414: return "The request URI is too long.";
    case 415: return "Unsupported media type.";
    case 429: return "Too many requests.";
    case 431: return "The request headers are too large or too many.";
    case 417: return "Only \"Expect: 100-continue\" is supported.";
    case 501: return "This transfer coding is not supported.";
    case 503: return "The service is not ready.";
    case 505: return "Only HTTP/1.0 and HTTP/1.1 are supported.";
    default: return status >= 500 ? "An internal error occurred." : "The request was not valid.";
  }
}

Response error_response(int status, std::string_view code, std::string_view message, std::string_view request_id) {
  return error_response(status, code, message, request_id, nlohmann::json::object());
}

Response error_response(int status, std::string_view code, std::string_view message, std::string_view request_id,
                        const nlohmann::json& extra) {
  nlohmann::json body = {{"error",
                          {{"type", error_type_for_status(status)},
                           {"code", code},
                           {"message", message},
                           {"request_id", request_id}}}};
  for (auto it = extra.begin(); it != extra.end(); ++it) body["error"][it.key()] = *it;
  Response r;
  r.status = status;
  r.content_type = "application/json";
  // Replace rather than throw on invalid UTF-8 in anything that came from the client.
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace airlock::http
