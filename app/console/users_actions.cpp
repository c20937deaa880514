// POST /users/{user_id}/{role,deactivate,activate,reset-mfa,unlock,sign-out} and
// /users/sign-out-all: one admin action each, then back to the list (303) with a fixed notice, or
// the list again with the refusal's message. POST /users/{user_id}/reset-link shows the new
// password-reset link once.
#include <functional>

#include "console/api.h"
#include "identity/users_admin.h"

namespace airlock::console {
namespace {

using Action = std::function<core::Status(core::UserId target)>;

// The list again with the refusal's message; a plain error page when the store failed, saying
// `unchanged` (what did not happen).
http::Response refused(Deps& d, const guard::AdminCtx& ctx, const http::Request& req, const core::Status& s,
                       const char* unchanged) {
  int status = api::status_for(s.code());
  if (status == 500)
    return d.render.message(500, "Something went wrong", unchanged, {.title = "Error", .who = &ctx.who()}, req.request_id);
  return users_page(d, ctx.who(), status, s.message(), "");
}

http::Response no_such_user(Deps& d, const guard::AdminCtx& ctx, const http::Request& req) {
  return d.render.message(404, "No such user", "", {.title = "Users", .who = &ctx.who()}, req.request_id);
}

http::Response run(Deps& d, const guard::AdminCtx& ctx, http::Request& req, const std::string& done,
                   const Action& action) {
  auto target = api::path_id<core::UserId>(req, "user_id");
  if (!target) return no_such_user(d, ctx, req);
  auto s = action(*target);
  if (s) return redirect("/users?done=" + done);
  return refused(d, ctx, req, s, "Nothing was changed.");
}

}  // namespace

http::Response users_set_role(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto role = identity::parse_role(req.form_field("role"));
  if (!role) return users_page(d, ctx.who(), 422, "Choose a role.", "");
  return run(d, ctx, req, "role", [&](core::UserId target) {
    return identity::change_role(d.identity, ctx.who().user, target, *role, origin_of(req));
  });
}

http::Response users_deactivate(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return run(d, ctx, req, "deactivated", [&](core::UserId target) {
    return identity::set_active(d.identity, ctx.who().user, target, false, origin_of(req));
  });
}

http::Response users_activate(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return run(d, ctx, req, "activated", [&](core::UserId target) {
    return identity::set_active(d.identity, ctx.who().user, target, true, origin_of(req));
  });
}

http::Response users_reset_mfa(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return run(d, ctx, req, "mfa", [&](core::UserId target) {
    return identity::reset_mfa(d.identity, ctx.who().user, target, origin_of(req));
  });
}

http::Response users_unlock(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return run(d, ctx, req, "unlocked", [&](core::UserId target) {
    return identity::unlock(d.identity, ctx.who().user, target, origin_of(req));
  });
}

http::Response users_sign_out(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return run(d, ctx, req, "signed_out", [&](core::UserId target) {
    return identity::revoke_sessions(d.identity, ctx.who().user, target, origin_of(req));
  });
}

http::Response users_sign_out_all(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto ended = identity::revoke_all_sessions(d.identity, ctx.who().user, ctx.who().session.id, origin_of(req));
  if (ended) return redirect("/users?done=signed_out_all");
  return refused(d, ctx, req, ended.status(), "Nothing was changed.");
}

http::Response users_reset_link(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto target = api::path_id<core::UserId>(req, "user_id");
  if (!target) return no_such_user(d, ctx, req);
  auto made = identity::issue_password_reset(d.identity, ctx.who().user, *target, origin_of(req));
  if (!made) return refused(d, ctx, req, made.status(), "No link was made.");
  nlohmann::json data = {
      {"email", made->email},
      {"mfa", made->mfa},
      {"expires", core::format_time_display(core::Clock::SystemTime(std::chrono::seconds(made->expires_at)))},
      {"link", d.guard.public_origin() + "/reset?token=" + made->token}};
  core::secure_zero(made->token.data(), made->token.size());
  return d.render.page(200, "reset_created", data,
                       {.title = "Password-reset link", .who = &ctx.who(), .active_nav = "users"});
}

}  // namespace airlock::console
