#pragma once
// The management API (/api/v1/…): what the console does, as JSON, behind the same guard (session
// cookie + CSRF, or a personal access token) and the same identity services, so both surfaces
// enforce exactly the same rules. Bodies are read with http::JsonBody (strict: JSON media type,
// no repeated keys, unknown fields refused); every error is the one JSON error shape.
//
// Actions that change how the caller proves who they are, mint credentials or grant power
// (password, second factor, backup codes, access tokens, invites, role changes, MFA resets, the
// security policy) need the signed-in session: an access token is refused with 403
// session_required. A leaked token can then neither mint tokens or accounts, nor raise anyone's
// role, nor weaken MFA; it can still read, deactivate and unlock (the offboarding an automation
// needs, which grants nothing).
#include <optional>

#include "console/console.h"
#include "core/result.h"
#include "gateway/guardrails_settings.h"

namespace airlock::console {

void add_api_routes(guard::Routes& routes, Deps& deps);

namespace api {

// HTTP status for a service's error code, from the error catalogue (http/error_catalogue.h): 500
// for any code not there.
int status_for(const std::string& code);
// The JSON error for a failed identity call; a 500 never carries the status's message.
http::Response error(const core::Status& s, const http::Request& req);
// 403 session_required when the caller came with an access token.
std::optional<http::Response> session_only(const guard::Principal& who, const http::Request& req);
// RFC 3339 UTC seconds, e.g. 2026-12-01T09:00:00Z; JSON null for 0/none.
nlohmann::json time_json(std::optional<std::int64_t> unix_s);
// 204 No Content.
http::Response no_content();

// A typed id from the route's {name} parameter; nullopt when absent or not an id.
template <class Id>
std::optional<Id> path_id(const http::Request& req, const char* name) {
  auto it = req.path_params.find(name);
  return it == req.path_params.end() ? std::nullopt : Id::parse(it->second);
}

}  // namespace api

// Own account (api_account.cpp, api_mfa.cpp).
http::Response api_password(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_sessions(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_session_end(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_tokens(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_token_create(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_token_revoke(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_mfa_status(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_mfa_enrol(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_mfa_confirm(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_backup_codes(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_mfa_disable(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_session_confirm(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);

// Users and invites (api_users.cpp).
http::Response api_users(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_user(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_user_update(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_user_reset_mfa(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_user_unlock(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_invite(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_user_reset_link(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_user_sign_out(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_sign_out_all(Deps& d, const guard::AdminCtx& ctx, http::Request& req);

// Security settings (api_settings.cpp; the page is settings_page.cpp).
nlohmann::json security_settings(Deps& d);
http::Response api_settings(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
// The route table as JSON: method, pattern, access (routes_api.cpp).
http::Response api_route_table(const http::Router& router, const guard::AdminCtx& ctx, http::Request& req);
// Prometheus text exposition (metrics_api.cpp).
http::Response api_metrics(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_settings_update(Deps& d, const guard::OwnerCtx& ctx, http::Request& req);
// The guardrail policy (api_guardrails.cpp; the form is guardrails_page.cpp).
nlohmann::json guardrails_json(const gateway::GuardrailsState& s);
http::Response api_guardrails(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_guardrails_update(Deps& d, const guard::OwnerCtx& ctx, http::Request& req);
// The WAF's current blocks and lifting one (api_waf.cpp; also the Settings page's Lift form).
nlohmann::json waf_blocks_json(Deps& d);
http::Response api_waf_blocks(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_waf_lift(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response waf_lift(Deps& d, const guard::AdminCtx& ctx, http::Request& req);

}  // namespace airlock::console
