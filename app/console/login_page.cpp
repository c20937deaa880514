// GET/POST /login, POST /logout.
#include "audit/audit_log.h"
#include "console/console.h"
#include "core/log.h"
#include "identity/login.h"
#include "store/sessions_repo.h"

namespace airlock::console {

http::Response login_form(Deps& d, http::Request& req) {
  Frame f{.title = "Sign in"};
  if (req.target.find("created=1") != std::string_view::npos) f.notice = "Your account is ready. Sign in.";
  if (req.query_param("reset") == "1") f.notice = "Your password is changed. Sign in with the new one.";
  if (req.target.find("ended=1") != std::string_view::npos) f.notice = "You are signed out.";
  return d.render.page(200, "login", nlohmann::json::object(), f);
}

http::Response login_submit(Deps& d, http::Request& req) {
  auto email = req.form_field("email");
  auto password = req.form_field("password");
  std::chrono::milliseconds delay{0};
  auto result = identity::login_with_password(d.identity, email, password, origin_of(req), &delay);
  core::secure_zero(password.data(), password.size());
  if (!result) {
    auto r = d.render.page(401, "login", {{"email", email}, {"error", result.status().message()}}, {.title = "Sign in"});
    r.delay = delay;
    return r;
  }
  auto r = redirect(result->mfa_pending ? "/login/mfa" : "/");
  r.set_header("Set-Cookie", session_cookie(result->session.token, d.identity.policies.session_absolute.count()));
  r.delay = delay;  // the account's delay holds for everyone, or it would tell who got it right
  return r;
}

http::Response logout(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto& id = d.identity;
  auto at = core::format_time_utc(id.clock.system_now());
  (void)id.db.write([&](store::Tx& tx) {
    store::sessions::end(tx, ctx.who().session.id, id.now_s(), "logout");
    audit::Event e;
    e.action = "session.end";
    e.actor_user = ctx.who().user.id;
    e.actor = ctx.who().user.email;
    e.target = "session:" + ctx.who().session.id.str();
    e.ip = req.client_ip;
    e.request_id = req.request_id;
    e.details_json = R"({"reason":"logout"})";
    audit::append(tx, e, at);
    return core::Status::ok();
  });
  auto r = redirect("/login?ended=1");
  r.set_header("Set-Cookie", session_cookie("", 0));
  r.set_header("Clear-Site-Data", "\"cache\", \"cookies\", \"storage\"");
  return r;
}

}  // namespace airlock::console
