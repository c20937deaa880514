#include "guard/routes.h"

#include "core/cidr.h"
#include "http/errors.h"

namespace airlock::guard {

namespace {

// Rate-limit key for a client: the address, or for IPv6 its /64 (one host usually holds all of it).
std::string client_key(const std::string& ip) {
  auto parsed = core::IpAddress::parse(ip);
  if (!parsed || parsed->v4) return ip;
  auto net = *parsed;
  for (int i = 8; i < 16; ++i) net.bytes[i] = 0;
  return net.to_string() + "/64";
}

}  // namespace

void Routes::set_throttle_observer(ThrottleObserver observer, const core::Clock& clock) {
  observer_ = std::move(observer);
  observer_limit_ = std::make_unique<SlidingWindowLimiter>(SlidingWindowLimiter::Options{1, std::chrono::seconds(60)}, clock);
}

std::function<http::Response(http::Request&)> Routes::limited(SlidingWindowLimiter& limiter,
                                                             std::function<http::Response(http::Request&)> handler) {
  return [this, &limiter, h = std::move(handler)](http::Request& req) -> http::Response {
    auto key = client_key(req.client_ip);
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

void Routes::add_public_report(std::string method, std::string pattern,
                               std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter& limiter) {
  router_.add({std::move(method), std::move(pattern), http::Access::kPublic, limited(limiter, std::move(handler))});
}

void Routes::add_public(std::string method, std::string pattern,
                        std::function<http::Response(http::Request&)> handler, SlidingWindowLimiter* limiter) {
  if (limiter) handler = limited(*limiter, std::move(handler));
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
