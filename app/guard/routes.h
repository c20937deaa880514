#pragma once
// Route registration that puts the guard between the router and the handler. The access level
// comes from the handler's context type, so it is declared once and checked by the compiler:
//   routes.add<AdminCtx>("POST", "/users/{id}/role", users_set_role);
#include <functional>

#include "guard/guard.h"
#include "guard/rate_limit.h"
#include "http/router.h"

namespace airlock::guard {

// What a route's handler costs beyond the ordinary: kArgon2 runs argon2id (see Routes::costly).
enum class Cost { kOrdinary, kArgon2 };

class Routes {
 public:
  Routes(http::Router& router, Guard& guard) : router_(router), guard_(guard) {}
  const http::Router& router() const { return router_; }

  // Public routes. Unsafe methods still have to be same-origin (login CSRF). With a limiter, each
  // client IP (IPv6: its /64) gets that many calls per window, then 429 with Retry-After.
  void add_public(std::string method, std::string pattern, std::function<http::Response(http::Request&)> handler,
                  SlidingWindowLimiter* limiter = nullptr, Cost cost = Cost::kOrdinary);
  // Public and exempt from the same-origin check: only for endpoints that change nothing but a
  // log (CSP reports come from the browser itself, not from a page).
  void add_public_report(std::string method, std::string pattern,
                         std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter& limiter);

  // Wraps any handler in a per-client-IP limit (and, for kArgon2, then in costly()).
  std::function<http::Response(http::Request&)> limited(SlidingWindowLimiter& limiter,
                                                       std::function<http::Response(http::Request&)> handler,
                                                       Cost cost = Cost::kOrdinary);

  // Wraps a handler that runs argon2id (sign-in, step-up, password and backup-code changes): it
  // runs only with a slot of identity::argon2_gate(), waited for up to 2 s; without one the answer
  // is 503 with Retry-After, before any work is done (pre-authentication work stays bounded).
  std::function<http::Response(http::Request&)> costly(std::function<http::Response(http::Request&)> handler);

  // Told about refused requests (for the audit log); itself limited to one report per client and
  // minute, so a flood of refusals cannot become a flood of audit rows.
  using ThrottleObserver = std::function<void(const http::Request&)>;
  void set_throttle_observer(ThrottleObserver observer, const core::Clock& clock);

  template <class Ctx>
  void add(std::string method, std::string pattern, std::function<http::Response(const Ctx&, http::Request&)> handler) {
    std::string route_pattern = pattern;
    router_.add({std::move(method), std::move(pattern), access_of<Ctx>(),
                 [this, route = std::move(route_pattern), h = std::move(handler)](http::Request& req) -> http::Response {
                   auto a = guard_.authorize<Ctx>(req, route);
                   if (auto* stop = std::get_if<http::Response>(&a)) return std::move(*stop);
                   return h(std::get<Ctx>(a), req);
                 }});
  }

  Guard& guard() { return guard_; }

 private:
  http::Router& router_;
  Guard& guard_;
  ThrottleObserver observer_;
  std::unique_ptr<SlidingWindowLimiter> observer_limit_;
};

}  // namespace airlock::guard
