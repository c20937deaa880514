#include "guard/routes.h"

namespace airlock::guard {

void Routes::add_public(std::string method, std::string pattern,
                        std::function<http::Response(http::Request&)> handler) {
  router_.add({std::move(method), std::move(pattern), http::Access::kPublic,
               [this, h = std::move(handler)](http::Request& req) -> http::Response {
                 if (Guard::unsafe_method(req.method) && !guard_.same_origin(req))
                   return forbidden(req, "csrf_failed",
                                    "This request did not come from an Airlock page. Reload and try again.");
                 return h(req);
               }});
}

}  // namespace airlock::guard
