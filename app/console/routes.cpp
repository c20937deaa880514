#include "console/api.h"

namespace airlock::console {

void add_console_routes(guard::Routes& routes, Deps& d) {
  using guard::AdminCtx;
  using guard::MfaPendingCtx;
  using guard::OwnerCtx;
  using guard::ViewerCtx;
  // What `step_up` on a route asks for: the confirm page (or 403 step_up_required on the API).
  routes.set_step_up([&d](const guard::Principal& who, const http::Request& req, std::string_view back_to) {
    return need_step_up(d, who, req, back_to);
  });
  // Rules the routes below declare (guard/routes.h). Each argon2id route waits for the gate; the
  // sign-in family shares the per-client sign-in limit, the link family the setup-link one.
  const guard::Rules signin{.limit = &d.login_limit, .rate_class = "login", .cost = guard::Cost::kArgon2};
  const guard::Rules link{.limit = &d.setup_limit, .rate_class = "setup", .cost = guard::Cost::kArgon2};
  const guard::Rules argon2{.cost = guard::Cost::kArgon2};

  // Static assets: content-hashed names, cacheable forever.
  routes.add_public("GET", "/static/{name}", static_asset);
  routes.add_public_report("POST", "/csp-report", [&d](http::Request& r) { return csp_report(d, d.log, r); },
                           d.report_limit, "csp_report");

  // First owner: only with the one-time link printed at first start.
  routes.add_public("GET", "/setup", [&d](http::Request& r) { return setup_form(d, r); });
  routes.add_public("POST", "/setup", [&d](http::Request& r) { return setup_submit(d, r); }, link);

  // Sign in and out.
  routes.add_public("GET", "/login", [&d](http::Request& r) { return login_form(d, r); });
  routes.add_public("POST", "/login", [&d](http::Request& r) { return login_submit(d, r); }, signin);
  routes.add<ViewerCtx>("POST", "/logout", [&d](const ViewerCtx& c, http::Request& r) { return logout(d, c, r); });

  // The second step after the password: a code, or enrolment when MFA is required and missing.
  routes.add<MfaPendingCtx>("GET", "/login/mfa", [&d](const MfaPendingCtx& c, http::Request& r) { return mfa_step_form(d, c, r); });
  routes.add<MfaPendingCtx>("POST", "/login/mfa", [&d](const MfaPendingCtx& c, http::Request& r) { return mfa_step_submit(d, c, r); }, signin);
  routes.add<MfaPendingCtx>("POST", "/login/mfa/cancel", [&d](const MfaPendingCtx& c, http::Request& r) { return mfa_step_cancel(d, c, r); });
  routes.add<MfaPendingCtx>("POST", "/login/mfa/enrol", [&d](const MfaPendingCtx& c, http::Request& r) { return mfa_enrol_submit(d, c, r); }, argon2);

  // The user's own account: password, sessions, second factor.
  routes.add<ViewerCtx>("GET", "/account", [&d](const ViewerCtx& c, http::Request& r) { return account(d, c, r); });
  // Step-up before sensitive actions: password (and code) again; limited like sign-in.
  routes.add<ViewerCtx>("GET", "/account/confirm", [&d](const ViewerCtx& c, http::Request& r) { return confirm_form(d, c, r); });
  routes.add<ViewerCtx>("POST", "/account/confirm", [&d](const ViewerCtx& c, http::Request& r) { return confirm_submit(d, c, r); }, signin);
  // Each try costs an argon2id verification: limited like sign-in.
  routes.add<ViewerCtx>("POST", "/account/password", [&d](const ViewerCtx& c, http::Request& r) { return account_password(d, c, r); }, signin);
  routes.add<ViewerCtx>("POST", "/account/sessions/{session_id}/end", [&d](const ViewerCtx& c, http::Request& r) { return account_end_session(d, c, r); });
  routes.add<ViewerCtx>("POST", "/account/tokens", [&d](const ViewerCtx& c, http::Request& r) { return account_create_token(d, c, r); },
                        {.step_up = "/account"});
  routes.add<ViewerCtx>("POST", "/account/tokens/{token_id}/revoke", [&d](const ViewerCtx& c, http::Request& r) { return account_revoke_token(d, c, r); });
  routes.add<ViewerCtx>("GET", "/account/mfa", [&d](const ViewerCtx& c, http::Request& r) { return account_mfa(d, c, r); });
  routes.add<ViewerCtx>("POST", "/account/mfa/start", [&d](const ViewerCtx& c, http::Request& r) { return account_mfa_start(d, c, r); },
                        {.step_up = "/account/mfa"});
  routes.add<ViewerCtx>("POST", "/account/mfa/confirm", [&d](const ViewerCtx& c, http::Request& r) { return account_mfa_confirm(d, c, r); }, argon2);
  routes.add<ViewerCtx>("POST", "/account/mfa/backup-codes", [&d](const ViewerCtx& c, http::Request& r) { return account_backup_codes(d, c, r); },
                        {.step_up = "/account/mfa", .cost = guard::Cost::kArgon2});
  routes.add<ViewerCtx>("POST", "/account/mfa/disable", [&d](const ViewerCtx& c, http::Request& r) { return account_mfa_disable(d, c, r); }, signin);

  // Management API (session cookie + CSRF, or a personal access token): api_routes.cpp.
  add_api_routes(routes, d);

  // Audit trail (admins and owners).
  routes.add<AdminCtx>("GET", "/audit", [&d](const AdminCtx& c, http::Request& r) { return audit_view(d, c, r); });

  // Security settings: admins see them, owners change the policy.
  routes.add<AdminCtx>("GET", "/settings", [&d](const AdminCtx& c, http::Request& r) { return settings_view(d, c, r); });
  routes.add<OwnerCtx>("POST", "/settings/mfa", [&d](const OwnerCtx& c, http::Request& r) { return settings_mfa(d, c, r); },
                       {.step_up = "/settings"});
  routes.add<OwnerCtx>("POST", "/settings/guardrails", [&d](const OwnerCtx& c, http::Request& r) { return settings_guardrails(d, c, r); },
                       {.step_up = "/settings"});
  routes.add<OwnerCtx>("POST", "/settings/key-rotation", [&d](const OwnerCtx& c, http::Request& r) { return settings_key_rotation(d, c, r); },
                       {.step_up = "/settings"});
  routes.add<AdminCtx>("POST", "/settings/waf/lift", [&d](const AdminCtx& c, http::Request& r) { return waf_lift(d, c, r); });

  // Users admin and invitations (users_routes.cpp).
  add_users_routes(routes, d);

  // Gateway keys, providers, models and usage (gateway_routes.cpp).
  add_gateway_routes(routes, d);

  // Pages for every signed-in role.
  routes.add<ViewerCtx>("GET", "/", [&d](const ViewerCtx& c, http::Request& r) { return home(d, c, r); });
}

std::string session_cookie(const std::string& token, std::int64_t max_age_s) {
  // __Host-: Secure, Path=/ and no Domain, so no sibling host can set or read it.
  return std::string("__Host-airlock_session=") + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(max_age_s);
}

identity::Origin origin_of(const http::Request& req) {
  auto* ua = req.header("User-Agent");
  return {req.client_ip, ua ? std::string(*ua) : std::string(), req.request_id};
}

}  // namespace airlock::console
