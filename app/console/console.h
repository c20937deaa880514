#pragma once
// The admin console: server-rendered pages. Handlers live one file per page; routes.cpp lists them.
#include "console/render.h"
#include "core/log.h"
#include "gateway/service.h"
#include "guard/routes.h"
#include "identity/service.h"

namespace airlock::console {

struct Deps {
  identity::Deps& identity;
  Renderer& render;
  guard::Guard& guard;
  guard::SlidingWindowLimiter& login_limit;  // password and MFA step attempts per client
  guard::SlidingWindowLimiter& setup_limit;  // setup (and later invite) link uses per client
  guard::SlidingWindowLimiter& report_limit; // CSP reports per client
  core::Logger& log;
  gateway::Gateway& gateway;                  // keys, providers, models, usage pages
};

// Registers every console page on `routes` (guard levels are in each handler's signature).
void add_console_routes(guard::Routes& routes, Deps& deps);
// Users admin and invite acceptance (users_routes.cpp); called from add_console_routes.
void add_users_routes(guard::Routes& routes, Deps& deps);
// Gateway keys, providers, models and usage: pages and /api/v1 (gateway_routes.cpp).
void add_gateway_routes(guard::Routes& routes, Deps& deps);

// Users admin (users_page.cpp, users_actions.cpp) and invite acceptance (invite_page.cpp).
http::Response users_list(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_invite(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_set_role(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_deactivate(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_activate(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_reset_mfa(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_unlock(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
// The users page with an optional error (and the status to send it with) or notice.
http::Response users_page(Deps& d, const guard::Principal& who, int status, const std::string& error,
                          const std::string& notice);
http::Response users_reset_link(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_sign_out(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response users_sign_out_all(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response reset_form(Deps& d, http::Request& req);
http::Response reset_submit(Deps& d, http::Request& req);
http::Response invite_form(Deps& d, http::Request& req);
http::Response invite_submit(Deps& d, http::Request& req);

// Handlers (one file each).
http::Response static_asset(http::Request& req);
http::Response csp_report(Deps& d, core::Logger& log, http::Request& req);
http::Response setup_form(Deps& d, http::Request& req);
http::Response setup_submit(Deps& d, http::Request& req);
http::Response login_form(Deps& d, http::Request& req);
http::Response login_submit(Deps& d, http::Request& req);
http::Response logout(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response home(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response mfa_step_form(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req);
http::Response mfa_step_submit(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req);
http::Response mfa_enrol_submit(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req);
http::Response mfa_step_cancel(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req);
http::Response account_mfa(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_mfa_start(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_mfa_confirm(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_backup_codes(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_mfa_disable(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response settings_mfa(Deps& d, const guard::OwnerCtx& ctx, http::Request& req);
http::Response settings_view(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
// The settings page for `who`, with `problem` shown when a form was refused (settings_page.cpp).
http::Response settings_page(Deps& d, const guard::Principal& who, const http::Request& req, int status,
                             const std::string& problem);
http::Response settings_guardrails(Deps& d, const guard::OwnerCtx& ctx, http::Request& req);
http::Response settings_key_rotation(Deps& d, const guard::OwnerCtx& ctx, http::Request& req);
http::Response account(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_password(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_end_session(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_create_token(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response account_revoke_token(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_me(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response audit_view(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response audit_api(Deps& d, const guard::AdminCtx& ctx, http::Request& req);

// A page whose data the store could not read (store_failure.cpp): 500 with the console's error
// page, never an empty list that looks like "nothing here".
http::Response unreadable_page(Deps& d, const guard::Principal& who, const std::string& request_id = {});

// Step-up (step_up_page.cpp): nullopt when the session confirmed password (and code) recently,
// else the answer asking for it: the confirmation page returning to `back_to`, or 403
// step_up_required under /api/.
std::optional<http::Response> need_step_up(Deps& d, const guard::Principal& who, const http::Request& req,
                                           std::string_view back_to);
http::Response confirm_form(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response confirm_submit(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);

// Builds the Set-Cookie value for a session token (or an expired one to clear it).
std::string session_cookie(const std::string& token, std::int64_t max_age_s);
identity::Origin origin_of(const http::Request& req);

}  // namespace airlock::console
