#include "console/api.h"
#include "core/log.h"
#include "http/error_catalogue.h"
#include "http/errors.h"

namespace airlock::console::api {

int status_for(const std::string& code) { return http::status_for_code(code); }

http::Response error(const core::Status& s, const http::Request& req) {
  int status = status_for(s.code());
  if (status == 500) return http::error_response(500, "internal_error", "An internal error occurred.", req.request_id);
  return http::error_response(status, s.code(), s.message(), req.request_id);
}

std::optional<http::Response> session_only(const guard::Principal& who, const http::Request& req) {
  if (!who.token_scope) return std::nullopt;
  return http::error_response(403, "session_required",
                              "This action needs a signed-in console session; access tokens cannot do it.", req.request_id);
}

nlohmann::json time_json(std::optional<std::int64_t> unix_s) {
  if (!unix_s || *unix_s == 0) return nullptr;
  auto s = core::format_time_utc(core::Clock::SystemTime(std::chrono::seconds(*unix_s)));
  return s.substr(0, 19) + "Z";  // whole seconds: the store keeps no more
}

http::Response no_content() {
  http::Response r;
  r.status = 204;
  return r;
}

}  // namespace airlock::console::api
