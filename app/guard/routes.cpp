#include "guard/routes.h"

#include "core/cidr.h"
#include "http/errors.h"
#include "identity/password.h"

namespace airlock::guard {


void Routes::set_throttle_observer(ThrottleObserver observer, const core::Clock& clock) {
  observer_ = std::move(observer);
  observer_limit_ = std::make_unique<SlidingWindowLimiter>(SlidingWindowLimiter::Options{1, std::chrono::seconds(60)}, clock);
}

std::function<http::Response(http::Request&)> Routes::limited(SlidingWindowLimiter& limiter,
                                                             std::function<http::Response(http::Request&)> handler,
                                                             Cost cost) {
  if (cost == Cost::kArgon2) handler = costly(std::move(handler));
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
                               std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter& limiter) {
  router_.add({std::move(method), std::move(pattern), http::Access::kPublic, limited(limiter, std::move(handler))});
}

void Routes::add_public(std::string method, std::string pattern,
                        std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter* limiter, Cost cost) {
  if (limiter) handler = limited(*limiter, std::move(handler), cost);
  else if (cost == Cost::kArgon2) handler = costly(std::move(handler));
  std::string route_pattern = pattern;
  router_.add({std::move(method), std::move(pattern), http::Access::kPublic,
               [this, route = std::move(route_pattern), h = std::move(handler)](http::Request& req) -> http::Response {
                 if (Guard::unsafe_method(req.method) && !guard_.same_origin(req)) {
                   guard_.record_denial(req, route, nullptr, "csrf_failed");
                   return guard_.refuse(req, 403, "csrf_failed",
                                        "This request did not come from an Airlock page. Reload and try again.");
                 }
                 return h(req);
               }});
}

}  // namespace airlock::guard
