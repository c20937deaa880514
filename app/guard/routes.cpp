#include "guard/routes.h"

#include "core/cidr.h"
#include "http/errors.h"
#include "identity/password.h"

#include <stdexcept>

namespace airlock::guard {

void Routes::set_throttle_observer(ThrottleObserver observer, const core::Clock& clock) {
  observer_ = std::move(observer);
  observer_limit_ = std::make_unique<SlidingWindowLimiter>(SlidingWindowLimiter::Options{1, std::chrono::seconds(60)}, clock);
}

std::optional<http::Response> Routes::check(const Rules& rules, const Principal& who, const http::Request& req) const {
  if (rules.session_only && who.token_scope)
    return http::error_response(403, "session_required",
                                "This action needs a signed-in console session; access tokens cannot do it.",
                                req.request_id);
  if (rules.step_up) {
    if (!step_up_) return guard_.refuse(req, 403, "step_up_required", "Confirm it is you first.", &who);
    if (auto ask = step_up_(who, req, rules.step_up)) return ask;
  }
  return std::nullopt;
}

std::function<http::Response(http::Request&)> Routes::wrapped(const Rules& rules,
                                                              std::function<http::Response(http::Request&)> handler) {
  if (rules.cost == Cost::kArgon2) handler = costly(std::move(handler));
  if (rules.limit) handler = limited(*rules.limit, std::move(handler));
  return handler;
}

void Routes::describe(http::Route& r, const Rules& rules) {
  r.session_only = rules.session_only;
  r.step_up = rules.step_up != nullptr;
  r.rate_class = rules.limit ? rules.rate_class : "";
  r.costly = rules.cost == Cost::kArgon2;
}

std::function<http::Response(http::Request&)> Routes::limited(SlidingWindowLimiter& limiter,
                                                             std::function<http::Response(http::Request&)> handler) {
  return [this, &limiter, h = std::move(handler)](http::Request& req) -> http::Response {
    auto key = core::client_network_key(req.client_ip);
    auto d = limiter.hit(key);
    if (!d.allowed) {
      if (observer_ && observer_limit_->hit(key).allowed) observer_(req);
      auto r = guard_.refuse(req, 429, "rate_limited", "Too many attempts. Wait a moment and try again.");
      r.set_header("Retry-After", std::to_string(d.retry_after.count()));
      return r;
    }
    return h(req);
  };
}

std::function<http::Response(http::Request&)> Routes::costly(std::function<http::Response(http::Request&)> handler) {
  return [this, h = std::move(handler)](http::Request& req) -> http::Response {
    auto slot = identity::argon2_gate().try_enter(std::chrono::seconds(2));
    if (!slot) {
      auto r = guard_.refuse(req, 503, "busy", "Airlock is busy checking other sign-ins. Try again in a moment.");
      r.set_header("Retry-After", "1");
      return r;
    }
    return h(req);
  };
}

void Routes::add_public_report(std::string method, std::string pattern,
                               std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter& limiter,
                               const char* rate_class) {
  http::Route r{std::move(method), std::move(pattern), http::Access::kPublic, limited(limiter, std::move(handler))};
  describe(r, {.limit = &limiter, .rate_class = rate_class});
  router_.add(std::move(r));
}

void Routes::add_public(std::string method, std::string pattern,
                        std::function<http::Response(http::Request&)> handler, Rules rules) {
  if (rules.session_only || rules.step_up) throw std::logic_error("a public route has no session to check");
  handler = wrapped(rules, std::move(handler));
  std::string route_pattern = pattern;
  http::Route r{std::move(method), std::move(pattern), http::Access::kPublic,
                [this, route = std::move(route_pattern), h = std::move(handler)](http::Request& req) -> http::Response {
                  if (Guard::unsafe_method(req.method) && !guard_.same_origin(req)) {
                    guard_.record_denial(req, route, nullptr, "csrf_failed");
                    return guard_.refuse(req, 403, "csrf_failed",
                                         "This request did not come from an Airlock page. Reload and try again.");
                  }
                  return h(req);
                }};
  describe(r, rules);
  router_.add(std::move(r));
}

}  // namespace airlock::guard
