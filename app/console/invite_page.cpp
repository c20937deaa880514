// GET/POST /invite: an invited user sets their password with the one-time link an admin passed
// on. The e-mail and role come from the invite, never from the form; the link's token moves from
// the URL into a cookie on the first request (link_cookie.h).
#include "console/console.h"
#include "console/link_cookie.h"
#include "http/form.h"
#include "identity/users_admin.h"

namespace airlock::console {
namespace {

constexpr const char* kKind = "invite";

http::Response invalid_link(Deps& d, http::Request& req) {
  auto hours = std::to_string(d.identity.policies.invite_lifetime.count() / 3600);
  auto r = d.render.message(404, "This invite link is not valid",
                          "It may have been used already or be older than " + hours +
                              " hours. Ask an administrator for a new one.",
                          {.title = "Invite"}, req.request_id);
  link::forget(r, kKind);
  return r;
}

http::Response form_page(Deps& d, int status, const identity::InviteInfo& info, const std::string& error) {
  nlohmann::json data = {{"email", info.email}, {"role", std::string(identity::role_name(info.role))}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "invite", data, {.title = "Accept invite"});
}

}  // namespace

http::Response invite_form(Deps& d, http::Request& req) {
  if (auto fresh = req.query_param("token"); !fresh.empty()) {
    if (!identity::invite_usable(d.identity, fresh)) return invalid_link(d, req);
    return link::hand_over(kKind, fresh, "/invite");
  }
  auto token = link::token(req, kKind);
  auto info = token.empty() ? std::nullopt : identity::invite_usable(d.identity, token);
  if (!info) return invalid_link(d, req);
  return form_page(d, 200, *info, "");
}

http::Response invite_submit(Deps& d, http::Request& req) {
  if (!req.form()) return d.render.message(400, "Bad request", "The form could not be read.", {.title = "Invite"}, req.request_id);
  auto token = link::token(req, kKind);
  auto password = req.form_field("password");
  auto again = req.form_field("password2");
  auto info = token.empty() ? std::nullopt : identity::invite_usable(d.identity, token);
  if (!info) return invalid_link(d, req);
  bool same = password == again;
  auto made = same ? identity::accept_invite(d.identity, token, password, origin_of(req))
                   : core::Result<core::UserId>(core::Status::error("password_mismatch", "The two passwords differ."));
  core::secure_zero(password.data(), password.size());
  core::secure_zero(again.data(), again.size());
  if (!made) {
    const auto& code = made.status().code();
    if (code == "invite_invalid") return invalid_link(d, req);
    if (code == "email_taken")
      return d.render.message(409, "This account exists already",
                              "A user with this e-mail exists already. Sign in, or ask an administrator.",
                              {.title = "Invite"}, req.request_id, "/login", "Sign in");
    if (code.rfind("password_", 0) != 0)
      return d.render.message(500, "Something went wrong", "The account was not created.", {.title = "Invite"},
                              req.request_id);
    return form_page(d, 422, *info, made.status().message());
  }
  auto r = redirect("/login?created=1");
  link::forget(r, kKind);
  return r;
}

}  // namespace airlock::console
