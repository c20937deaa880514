#pragma once
// The guard chain in front of every non-public route: session → MFA done → role → CSRF. Any step
// may stop the request with a response; what passes is a context object (guard/contexts.h).
//
// CSRF: an unsafe method (POST, PUT, PATCH, DELETE) must be same-origin (Sec-Fetch-Site
// "same-origin" when sent, and Origin equal to the public URL's origin when sent, or "null" next to
// Sec-Fetch-Site: same-origin; at least one of them present) AND, for a signed-in session, carry the session's synchronizer token in the form
// field "csrf" or the X-CSRF-Token header. Public unsafe routes (login, setup) get the origin check.
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "guard/contexts.h"
#include "http/message.h"
#include "http/router.h"
#include "identity/service.h"

namespace airlock::audit {
class DenialRecorder;
}

namespace airlock::guard {

inline constexpr const char* kSessionCookie = "__Host-airlock_session";

class Guard {
 public:
  // `public_origin`: scheme://host[:port] of the public URL, with the bound port filled in.
  Guard(identity::Deps& deps, std::string public_origin);

  // `route` is the matched route pattern, for the audit record of a refusal.
  template <class Ctx>
  std::variant<Ctx, http::Response> authorize(http::Request& req, std::string_view route = {});

  // The signed-in principal for this request, if any (no CSRF or role checks).
  // `unreadable` is set when the store could not say (the caller answers "try again").
  std::optional<Principal> principal(const http::Request& req, bool* unreadable = nullptr);

  // Same-origin test for unsafe methods; false means refuse with 403.
  bool same_origin(const http::Request& req) const;
  static bool unsafe_method(std::string_view method);

  const std::string& public_origin() const { return origin_; }

  // How a refusal looks outside /api/: the console sets an HTML message page here; without it (and
  // always under /api/) refusals are the JSON error shape.
  // `who` is the signed-in caller when known, so the page keeps their navigation.
  using ErrorPage = std::function<http::Response(const http::Request&, int status, std::string_view message,
                                                 const Principal* who)>;
  void set_error_page(ErrorPage page) { error_page_ = std::move(page); }
  http::Response refuse(const http::Request& req, int status, std::string_view code, std::string_view message,
                        const Principal* who = nullptr) const;
  // 503 unavailable with Retry-After 1: the store could not say who is calling (not "signed out").
  http::Response store_unavailable(const http::Request& req) const;

  // Authorization refusals (403: role, token scope, CSRF) go to the audit log through this
  // recorder (audit/denials.h); without one they are only answered.
  void set_denials(audit::DenialRecorder* denials) { denials_ = denials; }
  // Records a refusal by `who` (nullptr: anonymous, keyed by client IP) of `route` for `reason`.
  void record_denial(const http::Request& req, std::string_view route, const Principal* who,
                     std::string_view reason) const;

 private:
  std::variant<Principal, http::Response> signed_in(http::Request& req, bool allow_mfa_pending, std::string_view route);
  std::variant<Principal, http::Response> by_token(http::Request& req, bool allow_mfa_pending, std::string_view route);
  bool csrf_ok(const http::Request& req, const Principal& p) const;

  identity::Deps& deps_;
  std::string origin_;
  ErrorPage error_page_;
  audit::DenialRecorder* denials_ = nullptr;
};

// A response that sends the caller to sign in (303 for pages, 401 JSON under /api/).
http::Response unauthenticated(const http::Request& req);

template <class Ctx>
std::variant<Ctx, http::Response> Guard::authorize(http::Request& req, std::string_view route) {
  constexpr bool kMfaStep = std::is_same_v<Ctx, MfaPendingCtx>;
  auto who = signed_in(req, kMfaStep, route);
  if (auto* stop = std::get_if<http::Response>(&who)) return std::move(*stop);
  auto& p = std::get<Principal>(who);
  if constexpr (kMfaStep) {
    return MfaPendingCtx(std::move(p));
  } else {
    if (!identity::role_at_least(p.user.role, Ctx::kRole)) {
      record_denial(req, route, &p, "forbidden");
      return refuse(req, 403, "forbidden", "Your role does not allow this.", &p);
    }
    return Ctx(std::move(p));
  }
}

template <class Ctx>
constexpr http::Access access_of() {
  if constexpr (std::is_same_v<Ctx, MfaPendingCtx>) return http::Access::kMfaPending;
  else if constexpr (Ctx::kRole == identity::Role::kViewer) return http::Access::kViewer;
  else if constexpr (Ctx::kRole == identity::Role::kEditor) return http::Access::kEditor;
  else if constexpr (Ctx::kRole == identity::Role::kAdmin) return http::Access::kAdmin;
  else return http::Access::kOwner;
}

}  // namespace airlock::guard
