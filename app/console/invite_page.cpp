// GET/POST /invite: an invited user sets their password with the one-time link an admin passed
// on. The e-mail and role come from the invite, never from the form.
#include "console/console.h"
#include "http/form.h"
#include "identity/users_admin.h"

namespace airlock::console {
namespace {

http::Response invalid_link(Deps& d, http::Request& req) {
  auto hours = std::to_string(d.identity.policies.invite_lifetime.count() / 3600);
  return d.render.message(404, "This invite link is not valid",
                          "It may have been used already or be older than " + hours +
                              " hours. Ask an administrator for a new one.",
                          {.title = "Invite"}, req.request_id);
}

http::Response form_page(Deps& d, int status, const std::string& token, const identity::InviteInfo& info,
                         const std::string& error) {
  nlohmann::json data = {{"token", token}, {"email", info.email}, {"role", std::string(identity::role_name(info.role))}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "invite", data, {.title = "Accept invite"});
}

}  // namespace

http::Response invite_form(Deps& d, http::Request& req) {
  auto token = req.query_param("token");
  auto info = token.empty() ? std::nullopt : identity::invite_usable(d.identity, token);
  if (!info) return invalid_link(d, req);
  return form_page(d, 200, token, *info, "");
}

http::Response invite_submit(Deps& d, http::Request& req) {
  if (!req.form()) return d.render.message(400, "Bad request", "The form could not be read.", {.title = "Invite"}, req.request_id);
  auto token = req.form_field("token");
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
    return form_page(d, 422, token, *info, made.status().message());
  }
  return redirect("/login?created=1");
}

}  // namespace airlock::console
