#include "guard/guard.h"

#include "audit/denials.h"
#include "http/errors.h"
#include "http/form.h"
#include "identity/access_tokens.h"
#include "identity/mfa.h"
#include "identity/sessions.h"

namespace airlock::guard {

Guard::Guard(identity::Deps& deps, std::string public_origin) : deps_(deps), origin_(std::move(public_origin)) {}

bool Guard::unsafe_method(std::string_view m) { return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE"; }

bool Guard::same_origin(const http::Request& req) const {
  auto* site = req.header("Sec-Fetch-Site");
  auto* origin = req.header("Origin");
  if (!site && !origin) return false;
  if (site && *site != "same-origin") return false;
  // Our pages send Referrer-Policy: no-referrer, under which browsers send "Origin: null" on a
  // same-origin form POST (Fetch, "serializing a request origin"). That is only trusted together
  // with the browser's own Sec-Fetch-Site: same-origin, which page scripts cannot set.
  if (origin && *origin == "null") return site != nullptr;
  if (origin && *origin != origin_) return false;
  return true;
}

std::optional<Principal> Guard::principal(const http::Request& req, bool* unreadable) {
  auto* cookies = req.header("Cookie");
  if (!cookies) return std::nullopt;
  auto token = http::cookie_value(*cookies, kSessionCookie);
  if (!token) return std::nullopt;
  auto active = identity::resolve_session(deps_, *token, unreadable);
  if (!active) return std::nullopt;
  return Principal{std::move(active->user), std::move(active->session)};
}

bool Guard::csrf_ok(const http::Request& req, const Principal& p) const {
  std::string sent;
  if (auto* h = req.header("X-CSRF-Token")) sent = std::string(*h);
  else sent = req.form_field("csrf");
  return !sent.empty() && core::ct_equal(sent, p.session.csrf_token);
}

std::variant<Principal, http::Response> Guard::by_token(http::Request& req, bool allow_mfa_pending,
                                                       std::string_view route) {
  auto* auth = req.header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (auth->size() <= kBearer.size() || auth->substr(0, kBearer.size()) != kBearer)
    return refuse(req, 401, "unsupported_authentication",
                  "Use an access token: Authorization: Bearer alk_pat_… (Basic authentication is never accepted).");
  bool unreadable = false;
  auto found = identity::resolve_access_token(deps_, auth->substr(kBearer.size()), &unreadable);
  if (unreadable) return store_unavailable(req);
  if (!found) return refuse(req, 401, "invalid_token", "The access token is unknown, revoked or expired.");
  // A token minted before the policy required this user's MFA must not outlive that gap.
  if (!found->user.totp_enabled && identity::mfa_required_for(deps_, found->user.role))
    return refuse(req, 403, "mfa_required", "Set up two-factor authentication in the console; this account needs it.");
  Principal p{std::move(found->user), {}, found->token.scope, found->token.public_id};
  p.session.mfa_done = true;  // tokens are only issued to sessions that passed MFA
  if (allow_mfa_pending) {
    record_denial(req, route, &p, "forbidden");
    return refuse(req, 403, "forbidden", "Not available to access tokens.");
  }
  if (unsafe_method(req.method) && found->token.scope != "read_write") {
    record_denial(req, route, &p, "token_scope");
    return refuse(req, 403, "token_scope", "This access token may only read.");
  }
  return p;
}

std::variant<Principal, http::Response> Guard::signed_in(http::Request& req, bool allow_mfa_pending,
                                                        std::string_view route) {
  // The management API also takes personal access tokens; pages never do (a cookie-less request
  // cannot be a CSRF vehicle, so token requests skip the CSRF check).
  if (req.path.rfind("/api/", 0) == 0 && req.header("Authorization")) return by_token(req, allow_mfa_pending, route);
  bool unreadable = false;
  auto p = principal(req, &unreadable);
  // Refused, but not signed out: the cookie stays, and the next request may well succeed.
  if (unreadable) return store_unavailable(req);
  if (!p) {
    auto r = unauthenticated(req);
    // A session cookie that no longer names a live session (expired, ended elsewhere, revoked):
    // the browser drops it and whatever it cached of the signed-in pages.
    if (auto* cookies = req.header("Cookie"); cookies && http::cookie_value(*cookies, kSessionCookie)) {
      r.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
      r.set_header("Clear-Site-Data", "\"cache\", \"cookies\", \"storage\"");
    }
    return r;
  }
  if (!p->session.mfa_done && !allow_mfa_pending) {
    if (req.path.rfind("/api/", 0) == 0)
      return http::error_response(401, "mfa_required", "Complete the second sign-in step first.", req.request_id);
    return http::redirect("/login/mfa");
  }
  if (p->session.mfa_done && allow_mfa_pending) {
    // The MFA step is over for this session; send it on instead of showing the step again.
    return http::redirect("/");
  }
  if (unsafe_method(req.method) && (!same_origin(req) || !csrf_ok(req, *p))) {
    record_denial(req, route, &*p, "csrf_failed");
    return refuse(req, 403, "csrf_failed", "This request did not come from an Airlock page. Reload and try again.");
  }
  return std::move(*p);
}

http::Response unauthenticated(const http::Request& req) {
  if (req.path.rfind("/api/", 0) == 0)
    return http::error_response(401, "unauthenticated", "Sign in first.", req.request_id);
  return http::redirect("/login");
}

http::Response Guard::store_unavailable(const http::Request& req) const {
  auto r = refuse(req, 503, "unavailable", "Airlock could not check who you are just now. Try again in a moment.");
  r.set_header("Retry-After", "1");
  return r;
}

http::Response Guard::refuse(const http::Request& req, int status, std::string_view code,
                             std::string_view message, const Principal* who) const {
  if (error_page_ && req.path.rfind("/api/", 0) != 0) return error_page_(req, status, message, who);
  return http::error_response(status, code, message, req.request_id);
}

void Guard::record_denial(const http::Request& req, std::string_view route, const Principal* who,
                          std::string_view reason) const {
  if (!denials_) return;
  audit::Denial d;
  if (!who) {
    d.actor_kind = "anonymous";
    d.actor_id = audit::anonymous_actor_key(req.client_ip);
  } else if (!who->token_public_id.empty()) {
    d.actor_kind = "token";
    d.actor_id = who->token_public_id;
  } else {
    d.actor_kind = "user";
    d.actor_id = who->user.id.str();
  }
  if (who) {
    d.user = who->user.id;
    d.actor_display = who->user.email;
  }
  d.method = std::string(req.method);
  // Never the raw path: it may carry a token (invite, reset and setup links).
  d.route = route.empty() ? "(unknown)" : std::string(route);
  d.reason = std::string(reason);
  d.request_id = req.request_id;
  d.ip = req.client_ip;
  if (auto* ua = req.header("User-Agent")) d.user_agent = std::string(ua->substr(0, 256));
  denials_->record(d);
}

}  // namespace airlock::guard
