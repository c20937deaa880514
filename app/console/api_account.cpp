// /api/v1/me/{password,sessions,tokens}: the caller's own account.
#include "console/api.h"
#include "core/bytes.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "identity/access_tokens.h"
#include "identity/account.h"

namespace airlock::console {
namespace {


http::Response not_found(const http::Request& req, const char* what) {
  return http::error_response(404, "not_found", std::string("No such ") + what + ".", req.request_id);
}

nlohmann::json token_json(const store::AccessTokenRow& t) {
  return {{"id", t.id.value},
          {"name", t.name},
          {"prefix", "alk_pat_" + t.public_id},
          {"scope", t.scope},
          {"created_at", api::time_json(t.created_at)},
          {"expires_at", api::time_json(t.expires_at)},
          {"last_used_at", api::time_json(t.last_used_at)}};
}

}  // namespace

http::Response api_password(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto current = body.string("current_password", 1024);
  auto fresh = body.string("new_password", 1024);
  if (!current) body.missing("current_password");
  if (!fresh) body.missing("new_password");
  if (auto bad = body.refusal(req)) return *bad;
  auto session = identity::change_password(d.identity, ctx.who().user, ctx.who().session.id, *current, *fresh, origin_of(req));
  core::secure_zero(current->data(), current->size());
  core::secure_zero(fresh->data(), fresh->size());
  if (!session) return api::error(session.status(), req);
  // Every session ended, this one too; the caller continues on the fresh one.
  auto r = http::json_response(200, {{"status", "changed"}, {"csrf_token", session->csrf_token}});
  r.set_header("Set-Cookie", session_cookie(session->token, d.identity.policies.session_absolute.count()));
  return r;
}

http::Response api_sessions(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto sessions = identity::open_sessions(d.identity, ctx.who().user.id);
  if (!sessions) return api::error(sessions.status(), req);
  auto list = nlohmann::json::array();
  for (const auto& s : *sessions)
    list.push_back({{"id", s.id.value},
                    {"created_at", api::time_json(s.created_at)},
                    {"last_seen_at", api::time_json(s.last_seen_at)},
                    {"ip", s.ip},
                    {"user_agent", s.user_agent},
                    {"current", s.id == ctx.who().session.id}});
  return http::json_response(200, {{"data", list}});
}

http::Response api_session_end(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::SessionId>(req, "session_id");
  if (!id || !identity::end_own_session(d.identity, ctx.who().user, *id, origin_of(req))) return not_found(req, "session");
  return api::no_content();
}

http::Response api_tokens(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto tokens = identity::list_access_tokens(d.identity, ctx.who().user.id);
  if (!tokens) return api::error(tokens.status(), req);
  auto list = nlohmann::json::array();
  for (const auto& t : *tokens) list.push_back(token_json(t));
  return http::json_response(200, {{"data", list}});
}

http::Response api_token_create(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto name = body.string("name", 200);
  auto scope = body.string("scope", 20);
  auto days = body.integer("expires_in_days", 0, 3650);  // required: "never" (0) must be chosen, not implied
  if (!name) body.missing("name");
  if (!scope) body.missing("scope");
  if (!days) body.missing("expires_in_days");
  if (auto bad = body.refusal(req)) return *bad;
  auto made = identity::create_access_token(d.identity, ctx.who().user, *name, *scope, static_cast<int>(*days),
                                            origin_of(req));
  if (!made) return api::error(made.status(), req);
  nlohmann::json out = {{"id", made->id.value}};
  // The token exists now: a failed re-read still answers with its secret, which is never shown again.
  if (auto tokens = identity::list_access_tokens(d.identity, ctx.who().user.id))
    for (const auto& t : *tokens)
      if (t.id == made->id) out.update(token_json(t));
  out["token"] = made->token;  // the only time it is ever shown
  core::secure_zero(made->token.data(), made->token.size());
  return http::json_response(201, out);
}

http::Response api_token_revoke(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::TokenId>(req, "token_id");
  if (!id || !identity::revoke_access_token(d.identity, ctx.who().user, *id, origin_of(req))) return not_found(req, "token");
  return api::no_content();
}

}  // namespace airlock::console
