#include "console/console.h"

namespace airlock::console {

void add_users_routes(guard::Routes& routes, Deps& d) {
  using guard::AdminCtx;
  const guard::Rules step_up{.step_up = "/users"};  // changes to who may do what (guard/routes.h)
  const guard::Rules link{.limit = &d.setup_limit, .rate_class = "setup", .cost = guard::Cost::kArgon2};
  // Users admin: admins and owners. Who may act on whom (owners only by owners, nobody on
  // themselves, never the last owner) is decided in identity/users_admin.cpp, inside the write.
  routes.add<AdminCtx>("GET", "/users", [&d](const AdminCtx& c, http::Request& r) { return users_list(d, c, r); });
  routes.add<AdminCtx>("POST", "/users/invite", [&d](const AdminCtx& c, http::Request& r) { return users_invite(d, c, r); }, step_up);
  routes.add<AdminCtx>("POST", "/users/{user_id}/role", [&d](const AdminCtx& c, http::Request& r) { return users_set_role(d, c, r); }, step_up);
  routes.add<AdminCtx>("POST", "/users/{user_id}/deactivate", [&d](const AdminCtx& c, http::Request& r) { return users_deactivate(d, c, r); });
  routes.add<AdminCtx>("POST", "/users/{user_id}/activate", [&d](const AdminCtx& c, http::Request& r) { return users_activate(d, c, r); });
  routes.add<AdminCtx>("POST", "/users/{user_id}/reset-mfa", [&d](const AdminCtx& c, http::Request& r) { return users_reset_mfa(d, c, r); }, step_up);
  routes.add<AdminCtx>("POST", "/users/{user_id}/unlock", [&d](const AdminCtx& c, http::Request& r) { return users_unlock(d, c, r); });
  routes.add<AdminCtx>("POST", "/users/{user_id}/reset-link", [&d](const AdminCtx& c, http::Request& r) { return users_reset_link(d, c, r); }, step_up);
  routes.add<AdminCtx>("POST", "/users/{user_id}/sign-out", [&d](const AdminCtx& c, http::Request& r) { return users_sign_out(d, c, r); });
  routes.add<AdminCtx>("POST", "/users/sign-out-all", [&d](const AdminCtx& c, http::Request& r) { return users_sign_out_all(d, c, r); });

  // Accepting an invite: public, but nothing happens without the link's token. Submissions (each
  // an argon2id hash) count against the setup link's per-client budget; opening the link is a
  // hash lookup of a 256-bit token, as for the setup link.
  routes.add_public("GET", "/invite", [&d](http::Request& r) { return invite_form(d, r); });
  routes.add_public("POST", "/invite", [&d](http::Request& r) { return invite_submit(d, r); }, link);
  // Password-reset links: the same rules.
  routes.add_public("GET", "/reset", [&d](http::Request& r) { return reset_form(d, r); });
  routes.add_public("POST", "/reset", [&d](http::Request& r) { return reset_submit(d, r); }, link);
}

}  // namespace airlock::console
