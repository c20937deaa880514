// GET/POST /setup: create the first owner with the one-time link printed at first start. The
// link's token moves from the URL into a cookie on the first request (link_cookie.h).
#include "console/console.h"
#include "console/link_cookie.h"
#include "http/form.h"
#include "identity/setup.h"

namespace airlock::console {
namespace {

constexpr const char* kKind = "setup";

http::Response invalid_link(Deps& d, http::Request& req) {
  auto r = d.render.message(404, "This setup link is not valid",
                          "It may have been used already or be older than an hour. Restart Airlock to print a new "
                          "link, or create the owner on the host with airlock user create-owner.",
                          {.title = "Setup"}, req.request_id);
  link::forget(r, kKind);
  return r;
}

}  // namespace

http::Response setup_form(Deps& d, http::Request& req) {
  if (auto fresh = req.query_param("token"); !fresh.empty()) {
    if (!identity::setup_token_usable(d.identity, fresh)) return invalid_link(d, req);
    return link::hand_over(kKind, fresh, "/setup");
  }
  auto token = link::token(req, kKind);
  if (token.empty() || !identity::setup_token_usable(d.identity, token)) return invalid_link(d, req);
  return d.render.page(200, "setup", nlohmann::json::object(), {.title = "Set up"});
}

http::Response setup_submit(Deps& d, http::Request& req) {
  if (!req.form()) return d.render.message(400, "Bad request", "The form could not be read.", {.title = "Setup"}, req.request_id);
  auto token = link::token(req, kKind);
  auto email = req.form_field("email");
  auto password = req.form_field("password");
  auto again = req.form_field("password2");
  auto show = [&](const std::string& error) {
    return d.render.page(422, "setup", {{"email", email}, {"error", error}}, {.title = "Set up"});
  };
  if (password != again) return show("The two passwords differ.");
  auto made = identity::complete_setup(d.identity, token, email, password, origin_of(req));
  core::secure_zero(password.data(), password.size());
  core::secure_zero(again.data(), again.size());
  if (!made) {
    if (made.status().code() == "setup_token_invalid" || made.status().code() == "setup_done") return invalid_link(d, req);
    return show(made.status().message());
  }
  auto r = redirect("/login?created=1");
  link::forget(r, kKind);
  return r;
}

}  // namespace airlock::console
