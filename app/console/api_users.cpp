// /api/v1/users… and /api/v1/invites: users admin for admins and owners. Who may act on whom is
// decided by identity/users_admin.cpp inside the write, exactly as for the console's forms.
#include "console/api.h"
#include "core/bytes.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "identity/users_admin.h"

namespace airlock::console {
namespace {

nlohmann::json user_json(const identity::UserSummary& u) {
  return {{"id", u.id.value},
          {"email", u.email},
          {"role", std::string(identity::role_name(u.role))},
          {"active", u.active},
          {"mfa_enabled", u.mfa},
          {"locked", u.locked},
          {"created_at", api::time_json(u.created_at)}};
}

http::Response no_such_user(const http::Request& req) {
  return http::error_response(404, "user_not_found", "No such user.", req.request_id);
}

// The user as the API shows it: 200, 404, or the store's error.
http::Response user_answer(Deps& d, core::UserId id, const http::Request& req) {
  auto users = identity::list_users(d.identity);
  if (!users) return api::error(users.status(), req);
  for (const auto& u : *users)
    if (u.id == id) return http::json_response(200, user_json(u));
  return no_such_user(req);
}

// Runs one admin action on the path's user and answers with the user as it is afterwards.
template <class Action>
http::Response act(Deps& d, http::Request& req, Action action) {
  auto target = api::path_id<core::UserId>(req, "user_id");
  if (!target) return no_such_user(req);
  if (auto s = action(*target); !s) return api::error(s, req);
  return user_answer(d, *target, req);
}

}  // namespace

http::Response api_users(Deps& d, const guard::AdminCtx&, http::Request& req) {
  auto users = identity::list_users(d.identity);
  if (!users) return api::error(users.status(), req);
  auto list = nlohmann::json::array();
  for (const auto& u : *users) list.push_back(user_json(u));
  return http::json_response(200, {{"data", list}});
}

http::Response api_user(Deps& d, const guard::AdminCtx&, http::Request& req) {
  auto target = api::path_id<core::UserId>(req, "user_id");
  return target ? user_answer(d, *target, req) : no_such_user(req);
}

// PATCH {"role": "editor"} or {"active": false}: one change per request, so a refusal never
// leaves half of a request applied.
http::Response api_user_update(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto role_name = body.string("role", 20);
  auto active = body.boolean("active");
  if (auto bad = body.refusal(req)) return *bad;
  if (role_name.has_value() == active.has_value())
    return http::error_response(422, "one_change", "Send exactly one of \"role\" or \"active\".", req.request_id);
  if (role_name) {
    auto role = identity::parse_role(*role_name);
    if (!role) return http::error_response(422, "role_invalid", "role: owner, admin, editor or viewer.", req.request_id);
    // Only a role change is sensitive, so these rules follow the body instead of the route's.
    if (auto stop = api::session_only(ctx.who(), req)) return *stop;
    if (auto ask = need_step_up(d, ctx.who(), req, "/users")) return std::move(*ask);
    return act(d, req, [&](core::UserId t) { return identity::change_role(d.identity, ctx.who().user, t, *role, origin_of(req)); });
  }
  return act(d, req, [&](core::UserId t) { return identity::set_active(d.identity, ctx.who().user, t, *active, origin_of(req)); });
}

http::Response api_user_reset_mfa(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return act(d, req, [&](core::UserId t) { return identity::reset_mfa(d.identity, ctx.who().user, t, origin_of(req)); });
}

http::Response api_user_unlock(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return act(d, req, [&](core::UserId t) { return identity::unlock(d.identity, ctx.who().user, t, origin_of(req)); });
}

http::Response api_invite(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto email = body.string("email", 254);
  auto role_name = body.string("role", 20);
  if (!email) body.missing("email");
  if (!role_name) body.missing("role");
  if (auto bad = body.refusal(req)) return *bad;
  auto role = identity::parse_role(*role_name);
  if (!role) return http::error_response(422, "role_invalid", "role: owner, admin, editor or viewer.", req.request_id);
  auto made = identity::invite_user(d.identity, ctx.who().user, *email, *role, origin_of(req));
  if (!made) return api::error(made.status(), req);
  // The link is the credential: returned this once for the admin to pass on, never stored.
  auto r = http::json_response(201, {{"id", made->id.value},
                                     {"email", made->email},
                                     {"role", std::string(identity::role_name(made->role))},
                                     {"expires_at", api::time_json(made->expires_at)},
                                     {"invite_url", d.guard.public_origin() + "/invite?token=" + made->token}});
  core::secure_zero(made->token.data(), made->token.size());
  return r;
}

// Signing out grants nothing, so an access token may do it (offboarding automation).
http::Response api_user_sign_out(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return act(d, req, [&](core::UserId t) { return identity::revoke_sessions(d.identity, ctx.who().user, t, origin_of(req)); });
}

http::Response api_sign_out_all(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  // A token caller has no session to keep; id 0 matches none.
  auto keep = ctx.who().token_scope ? core::SessionId(0) : ctx.who().session.id;
  auto ended = identity::revoke_all_sessions(d.identity, ctx.who().user, keep, origin_of(req));
  if (!ended) return api::error(ended.status(), req);
  return http::json_response(200, {{"sessions_ended", *ended}});
}

// The link is a credential for the account: session only, returned this once.
http::Response api_user_reset_link(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto target = api::path_id<core::UserId>(req, "user_id");
  if (!target) return no_such_user(req);
  auto made = identity::issue_password_reset(d.identity, ctx.who().user, *target, origin_of(req));
  if (!made) return api::error(made.status(), req);
  auto r = http::json_response(201, {{"id", made->id.value},
                                     {"email", made->email},
                                     {"expires_at", api::time_json(made->expires_at)},
                                     {"reset_url", d.guard.public_origin() + "/reset?token=" + made->token}});
  core::secure_zero(made->token.data(), made->token.size());
  return r;
}

}  // namespace airlock::console
