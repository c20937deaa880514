#pragma once
// Route registration that puts the guard between the router and the handler. The access level
// comes from the handler's context type, so it is declared once and checked by the compiler:
//   routes.add<AdminCtx>("POST", "/users/{id}/role", users_set_role);
#include <functional>
#include <optional>

#include "guard/guard.h"
#include "guard/rate_limit.h"
#include "http/router.h"

namespace airlock::guard {

// What a route's handler costs beyond the ordinary: kArgon2 runs argon2id (see Routes::costly).
enum class Cost { kOrdinary, kArgon2 };

// What the guard checks between the role and the handler, declared with the route so that no
// handler has to remember an `if` (and the route-table test sees them all):
//   routes.add<AdminCtx>("POST", "/users/invite", users_invite, {.session_only = true, .step_up = "/users"});
struct Rules {
  bool session_only = false;              // access tokens get 403 session_required
  const char* step_up = nullptr;          // set: a step-up within its window, else 403 (API) or the
                                          // confirm page, then back to this path
  SlidingWindowLimiter* limit = nullptr;  // per client network, 429 with Retry-After past it
  const char* rate_class = "";            // the limiter's name in the route table
  Cost cost = Cost::kOrdinary;
};

class Routes {
 public:
  Routes(http::Router& router, Guard& guard) : router_(router), guard_(guard) {}
  const http::Router& router() const { return router_; }

  // Public routes. Unsafe methods still have to be same-origin (login CSRF).
  void add_public(std::string method, std::string pattern, std::function<http::Response(http::Request&)> handler,
                  Rules rules = {});
  // Public and exempt from the same-origin check: only for endpoints that change nothing but a
  // log (CSP reports come from the browser itself, not from a page).
  void add_public_report(std::string method, std::string pattern,
                         std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter& limiter,
                         const char* rate_class);

  // Guarded routes: the context type is the role; `rules` the checks after it, in this order:
  // session only, step-up, rate limit, the argon2 gate.
  template <class Ctx>
  void add(std::string method, std::string pattern, std::function<http::Response(const Ctx&, http::Request&)> handler,
           Rules rules = {}) {
    std::string route_pattern = pattern;
    http::Route r{std::move(method), std::move(pattern), access_of<Ctx>(),
                  [this, route = std::move(route_pattern), h = std::move(handler), rules](http::Request& req) -> http::Response {
                    auto a = guard_.authorize<Ctx>(req, route);
                    if (auto* stop = std::get_if<http::Response>(&a)) return std::move(*stop);
                    const Ctx& ctx = std::get<Ctx>(a);
                    if (auto stop = check(rules, ctx.who(), req)) return std::move(*stop);
                    return wrapped(rules, [&](http::Request& q) { return h(ctx, q); })(req);
                  }};
    describe(r, rules);
    router_.add(std::move(r));
  }

  // The step-up check a route's `step_up` asks for (the console's: it knows the pages). Until one
  // is set, such routes refuse: a declared step-up never silently passes.
  using StepUpCheck = std::function<std::optional<http::Response>(const Principal& who, const http::Request& req,
                                                                   std::string_view back_to)>;
  void set_step_up(StepUpCheck check) { step_up_ = std::move(check); }

  // Told about refused requests (for the audit log); itself limited to one report per client and
  // minute, so a flood of refusals cannot become a flood of audit rows.
  using ThrottleObserver = std::function<void(const http::Request&)>;
  void set_throttle_observer(ThrottleObserver observer, const core::Clock& clock);

 private:
  // Session-only and step-up; nullopt when both pass.
  std::optional<http::Response> check(const Rules& rules, const Principal& who, const http::Request& req) const;
  // The handler behind the rate limit and the argon2 gate that `rules` name.
  std::function<http::Response(http::Request&)> wrapped(const Rules& rules,
                                                        std::function<http::Response(http::Request&)> handler);
  std::function<http::Response(http::Request&)> limited(SlidingWindowLimiter& limiter,
                                                       std::function<http::Response(http::Request&)> handler);
  // Runs the handler with a slot of identity::argon2_gate(), waited for up to 2 s; without one the
  // answer is 503 with Retry-After, before any work is done.
  std::function<http::Response(http::Request&)> costly(std::function<http::Response(http::Request&)> handler);
  static void describe(http::Route& r, const Rules& rules);

  http::Router& router_;
  Guard& guard_;
  StepUpCheck step_up_;
  ThrottleObserver observer_;
  std::unique_ptr<SlidingWindowLimiter> observer_limit_;
};

}  // namespace airlock::guard
