#include "console/api.h"

namespace airlock::console {

void add_api_routes(guard::Routes& routes, Deps& d) {
  using guard::AdminCtx;
  using guard::OwnerCtx;
  using guard::ViewerCtx;
  // Rules (guard/routes.h): changes to credentials and to who may do what need a console session,
  // not an access token; the sensitive ones a recent step-up too.
  const guard::Rules signin{.session_only = true, .limit = &d.login_limit, .rate_class = "login", .cost = guard::Cost::kArgon2};
  auto session = [](const char* step_up = nullptr) { return guard::Rules{.session_only = true, .step_up = step_up}; };
  // The caller's own account. Changes to credentials need the session (api.h).
  routes.add<ViewerCtx>("GET", "/api/v1/me", [&d](const ViewerCtx& c, http::Request& r) { return api_me(d, c, r); });
  routes.add<ViewerCtx>("POST", "/api/v1/me/password", [&d](const ViewerCtx& c, http::Request& r) { return api_password(d, c, r); }, signin);
  routes.add<ViewerCtx>("POST", "/api/v1/me/confirm", [&d](const ViewerCtx& c, http::Request& r) { return api_session_confirm(d, c, r); }, signin);
  routes.add<ViewerCtx>("GET", "/api/v1/me/sessions", [&d](const ViewerCtx& c, http::Request& r) { return api_sessions(d, c, r); });
  routes.add<ViewerCtx>("DELETE", "/api/v1/me/sessions/{session_id}", [&d](const ViewerCtx& c, http::Request& r) { return api_session_end(d, c, r); });
  routes.add<ViewerCtx>("GET", "/api/v1/me/tokens", [&d](const ViewerCtx& c, http::Request& r) { return api_tokens(d, c, r); });
  routes.add<ViewerCtx>("POST", "/api/v1/me/tokens", [&d](const ViewerCtx& c, http::Request& r) { return api_token_create(d, c, r); },
                        session("/account"));
  routes.add<ViewerCtx>("DELETE", "/api/v1/me/tokens/{token_id}", [&d](const ViewerCtx& c, http::Request& r) { return api_token_revoke(d, c, r); });
  routes.add<ViewerCtx>("GET", "/api/v1/me/mfa", [&d](const ViewerCtx& c, http::Request& r) { return api_mfa_status(d, c, r); });
  routes.add<ViewerCtx>("POST", "/api/v1/me/mfa/enrolment", [&d](const ViewerCtx& c, http::Request& r) { return api_mfa_enrol(d, c, r); },
                        session("/account/mfa"));
  routes.add<ViewerCtx>("POST", "/api/v1/me/mfa/enrolment/confirm", [&d](const ViewerCtx& c, http::Request& r) { return api_mfa_confirm(d, c, r); }, {.session_only = true, .cost = guard::Cost::kArgon2});
  routes.add<ViewerCtx>("POST", "/api/v1/me/mfa/backup-codes", [&d](const ViewerCtx& c, http::Request& r) { return api_backup_codes(d, c, r); }, {.session_only = true, .step_up = "/account/mfa", .cost = guard::Cost::kArgon2});
  routes.add<ViewerCtx>("POST", "/api/v1/me/mfa/disable", [&d](const ViewerCtx& c, http::Request& r) { return api_mfa_disable(d, c, r); }, signin);

  // Users admin (admins and owners; who may act on whom is decided in identity/users_admin.cpp).
  routes.add<AdminCtx>("GET", "/api/v1/users", [&d](const AdminCtx& c, http::Request& r) { return api_users(d, c, r); });
  routes.add<AdminCtx>("GET", "/api/v1/users/{user_id}", [&d](const AdminCtx& c, http::Request& r) { return api_user(d, c, r); });
  routes.add<AdminCtx>("PATCH", "/api/v1/users/{user_id}", [&d](const AdminCtx& c, http::Request& r) { return api_user_update(d, c, r); });
  routes.add<AdminCtx>("POST", "/api/v1/users/{user_id}/reset-mfa", [&d](const AdminCtx& c, http::Request& r) { return api_user_reset_mfa(d, c, r); },
                        session("/users"));
  routes.add<AdminCtx>("POST", "/api/v1/users/{user_id}/unlock", [&d](const AdminCtx& c, http::Request& r) { return api_user_unlock(d, c, r); });
  routes.add<AdminCtx>("POST", "/api/v1/users/{user_id}/password-reset", [&d](const AdminCtx& c, http::Request& r) { return api_user_reset_link(d, c, r); },
                        session("/users"));
  routes.add<AdminCtx>("POST", "/api/v1/users/{user_id}/sign-out", [&d](const AdminCtx& c, http::Request& r) { return api_user_sign_out(d, c, r); });
  routes.add<AdminCtx>("POST", "/api/v1/sessions/sign-out-all", [&d](const AdminCtx& c, http::Request& r) { return api_sign_out_all(d, c, r); });
  // An invite makes an account with up to the inviter's power: as sensitive as a role change.
  routes.add<AdminCtx>("POST", "/api/v1/invites", [&d](const AdminCtx& c, http::Request& r) { return api_invite(d, c, r); },
                        session("/users"));

  // What this install serves: every route with its access level (admins; docs and tests).
  routes.add<AdminCtx>("GET", "/api/v1/routes", [&routes](const AdminCtx& c, http::Request& r) { return api_route_table(routes.router(), c, r); });
  // Prometheus metrics: a viewer's read token in Authorization: Bearer (scrapers are not browsers).
  routes.add<ViewerCtx>("GET", "/api/v1/metrics", [&d](const ViewerCtx& c, http::Request& r) { return api_metrics(d, c, r); });

  // Audit trail and security settings.
  routes.add<AdminCtx>("GET", "/api/v1/audit", [&d](const AdminCtx& c, http::Request& r) { return audit_api(d, c, r); });
  routes.add<AdminCtx>("GET", "/api/v1/settings", [&d](const AdminCtx& c, http::Request& r) { return api_settings(d, c, r); });
  routes.add<OwnerCtx>("PATCH", "/api/v1/settings", [&d](const OwnerCtx& c, http::Request& r) { return api_settings_update(d, c, r); },
                        session("/settings"));
  routes.add<AdminCtx>("GET", "/api/v1/guardrails", [&d](const AdminCtx& c, http::Request& r) { return api_guardrails(d, c, r); });
  routes.add<OwnerCtx>("PUT", "/api/v1/guardrails", [&d](const OwnerCtx& c, http::Request& r) { return api_guardrails_update(d, c, r); },
                        session("/settings"));
  routes.add<AdminCtx>("GET", "/api/v1/waf/blocks", [&d](const AdminCtx& c, http::Request& r) { return api_waf_blocks(d, c, r); });
  routes.add<AdminCtx>("POST", "/api/v1/waf/lift", [&d](const AdminCtx& c, http::Request& r) { return api_waf_lift(d, c, r); });
}

}  // namespace airlock::console
