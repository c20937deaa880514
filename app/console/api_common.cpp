#include <array>
#include <string_view>

#include "console/api.h"
#include "core/log.h"
#include "http/errors.h"

namespace airlock::console::api {
namespace {

constexpr std::array<std::string_view, 4> kForbidden = {"forbidden", "owner_only", "self_change", "step_up_required"};
constexpr std::array<std::string_view, 2> kNotFound = {"user_not_found", "not_found"};
constexpr std::array<std::string_view, 9> kConflict = {"last_owner",      "email_taken",        "mfa_already_enabled",
                                                       "mfa_not_pending", "mfa_not_enabled",    "mfa_required_by_policy",
                                                       "conflict",        "user_inactive",      "mfa_setup_required"};
// Listed one by one so a new internal code can never reach a client as "invalid input" by accident.
constexpr std::array<std::string_view, 18> kInvalid = {
    "email_invalid",        "role_invalid",       "mfa_code_invalid",        "invalid_backup_code",
    "password_mismatch",    "password_wrong",     "invite_invalid",          "password_too_short",
    "password_too_long",    "password_common",    "password_contains_email", "password_contains_product",
    "token_name_invalid",   "token_scope_invalid", "token_expiry_invalid",   "password_breached",
    "reset_invalid",        "password_invalid_utf8"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view code) {
  for (auto c : set)
    if (c == code) return true;
  return false;
}

}  // namespace

int status_for(const std::string& code) {
  if (code == "session_ended") return 401;
  if (in(kForbidden, code)) return 403;
  if (in(kNotFound, code)) return 404;
  if (in(kConflict, code)) return 409;
  if (in(kInvalid, code)) return 422;
  return 500;
}

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
