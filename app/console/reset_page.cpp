// GET/POST /reset: a user sets a new password with the one-time link an admin (or an operator on
// the host) passed on. The link's token moves from the URL into a cookie on the first request
// (link_cookie.h); a user with MFA on must also give a code (identity/password_reset.h).
#include "console/console.h"
#include "console/link_cookie.h"
#include "http/form.h"
#include "identity/password_reset.h"

namespace airlock::console {
namespace {

constexpr const char* kKind = "reset";

http::Response invalid_link(Deps& d, http::Request& req) {
  auto r = d.render.message(404, "This password-reset link is not valid",
                            "It may have been used already, replaced by a newer one, or be older than an hour. "
                            "Ask an administrator for a new one.",
                            {.title = "Reset password"}, req.request_id);
  link::forget(r, kKind);
  return r;
}

http::Response form_page(Deps& d, int status, const identity::ResetInfo& info, const std::string& error) {
  nlohmann::json data = {{"email", info.email}, {"mfa", info.mfa}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "reset", data, {.title = "Reset password"});
}

}  // namespace

http::Response reset_form(Deps& d, http::Request& req) {
  if (auto fresh = req.query_param("token"); !fresh.empty()) {
    if (!identity::reset_usable(d.identity, fresh)) return invalid_link(d, req);
    return link::hand_over(kKind, fresh, "/reset");
  }
  auto info = identity::reset_usable(d.identity, link::token(req, kKind));
  if (!info) return invalid_link(d, req);
  return form_page(d, 200, *info, "");
}

http::Response reset_submit(Deps& d, http::Request& req) {
  if (!req.form())
    return d.render.message(400, "Bad request", "The form could not be read.", {.title = "Reset password"}, req.request_id);
  auto token = link::token(req, kKind);
  auto info = identity::reset_usable(d.identity, token);
  if (!info) return invalid_link(d, req);
  auto password = req.form_field("password");
  auto again = req.form_field("password2");
  auto code = req.form_field("code");
  auto done = password == again
                  ? identity::complete_password_reset(d.identity, token, password, code, origin_of(req))
                  : core::Status::error("password_mismatch", "The two passwords differ.");
  core::secure_zero(password.data(), password.size());
  core::secure_zero(again.data(), again.size());
  core::secure_zero(code.data(), code.size());
  if (!done) {
    const auto& c = done.code();
    if (c == "reset_invalid") return invalid_link(d, req);
    if (c.rfind("password_", 0) != 0 && c != "mfa_code_invalid")
      return d.render.message(500, "Something went wrong", "The password was not changed.", {.title = "Reset password"},
                              req.request_id);
    return form_page(d, 422, *info, done.message());
  }
  auto r = redirect("/login?reset=1");
  link::forget(r, kKind);
  return r;
}

}  // namespace airlock::console
