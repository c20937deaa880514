// GET /account, POST /account/password, POST /account/sessions/{session_id}/end.
#include "console/console.h"
#include "core/log.h"
#include "http/errors.h"
#include "identity/access_tokens.h"
#include "identity/account.h"

namespace airlock::console {
namespace {

std::string when(std::int64_t unix_s) {
  return core::format_time_utc(core::Clock::SystemTime(std::chrono::seconds(unix_s))).substr(0, 16).replace(10, 1, " ");
}

http::Response account_view(Deps& d, const guard::Principal& who, int status, const std::string& error,
                            const std::string& notice) {
  auto open = identity::open_sessions(d.identity, who.user.id);
  auto live_tokens = identity::list_access_tokens(d.identity, who.user.id);
  if (!open || !live_tokens) return unreadable_page(d, who);
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& s : *open) {
    sessions.push_back({{"id", s.id.str()},
                        {"created", when(s.created_at)},
                        {"last_seen", when(s.last_seen_at)},
                        {"ip", s.ip},
                        {"user_agent", s.user_agent.substr(0, 120)},
                        {"current", s.id == who.session.id},
                        {"csrf", who.session.csrf_token}});
  }
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& t : *live_tokens) {
    tokens.push_back({{"id", t.id.str()},
                      {"name", t.name},
                      {"public_id", t.public_id},
                      {"scope", t.scope},
                      {"created", when(t.created_at)},
                      {"expires", t.expires_at ? when(*t.expires_at) : std::string("never")},
                      {"last_used", t.last_used_at ? when(*t.last_used_at) : std::string("never")},
                      {"csrf", who.session.csrf_token}});
  }
  nlohmann::json data = {{"email", who.user.email},
                         {"tokens", tokens},
                         {"has_tokens", !tokens.empty()},
                         {"role", std::string(identity::role_name(who.user.role))},
                         {"mfa", who.user.totp_enabled},
                         {"csrf", who.session.csrf_token},
                         {"sessions", sessions}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "account", data,
                       {.title = "Account", .who = &who, .notice = notice, .active_nav = "account"});
}

}  // namespace

http::Response account(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  std::string notice = req.target.find("changed=1") != std::string_view::npos ? "Your password was changed." : "";
  return account_view(d, ctx.who(), 200, "", notice);
}

http::Response account_password(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto current = req.form_field("current");
  auto fresh = req.form_field("new");
  auto again = req.form_field("new2");
  auto wipe = [&] {
    for (auto* s : {&current, &fresh, &again}) core::secure_zero(s->data(), s->size());
  };
  if (fresh != again) {
    wipe();
    return account_view(d, ctx.who(), 422, "The two new passwords differ.", "");
  }
  auto session = identity::change_password(d.identity, ctx.who().user, ctx.who().session.id, current, fresh, origin_of(req));
  wipe();
  if (!session && session.status().code() == "session_ended") return redirect("/login");
  if (!session) return account_view(d, ctx.who(), 422, session.status().message(), "");
  auto r = redirect("/account?changed=1");
  r.set_header("Set-Cookie", session_cookie(session->token, d.identity.policies.session_absolute.count()));
  return r;
}

http::Response account_create_token(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  int days = 0;
  auto raw = req.form_field("expires_in_days");
  if (raw == "0") days = 0;
  else if (auto n = core::Id<struct DaysTag>::parse(raw)) days = static_cast<int>(std::min<std::int64_t>(n->value, 100000));
  else days = -1;
  auto made = identity::create_access_token(d.identity, ctx.who().user, req.form_field("name"), req.form_field("scope"),
                                            days, origin_of(req));
  if (!made) return account_view(d, ctx.who(), 422, made.status().message(), "");
  return d.render.page(200, "token_created", {{"token", made->token}, {"token_hint", made->token.substr(0, 17)}},
                       {.title = "New access token", .who = &ctx.who(), .active_nav = "account"});
}

http::Response account_revoke_token(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto id = core::TokenId::parse(req.path_params.find("token_id")->second);
  if (!id || !identity::revoke_access_token(d.identity, ctx.who().user, *id, origin_of(req)))
    return d.render.message(404, "No such token", "It may have been revoked already.",
                            {.title = "Account", .who = &ctx.who()}, req.request_id, "/account", "Back to your account");
  return redirect("/account");
}

http::Response api_me(Deps&, const guard::ViewerCtx& ctx, http::Request&) {
  const auto& u = ctx.who().user;
  nlohmann::json body = {{"id", u.id.value},
                         {"email", u.email},
                         {"role", std::string(identity::role_name(u.role))},
                         {"mfa_enabled", u.totp_enabled},
                         {"authenticated_by", ctx.who().token_scope ? "access_token" : "session"}};
  if (ctx.who().token_scope) body["token_scope"] = *ctx.who().token_scope;
  // A script running on a signed-in session needs the synchronizer token for its changes
  // (X-CSRF-Token); the same-origin check still keeps other sites from reading or using it.
  else body["csrf_token"] = ctx.who().session.csrf_token;
  http::Response r;
  r.content_type = "application/json";
  r.body = body.dump();
  return r;
}

http::Response account_end_session(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto id = core::SessionId::parse(req.path_params.find("session_id")->second);
  if (!id || !identity::end_own_session(d.identity, ctx.who().user, *id, origin_of(req)))
    return d.render.message(404, "No such session", "It may have ended already.", {.title = "Account", .who = &ctx.who()},
                            req.request_id, "/account", "Back to your account");
  return redirect("/account");
}

}  // namespace airlock::console
