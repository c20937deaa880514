// GET /api/v1/routes: every route this install serves, in table order, with the access level its
// guard enforces and the rules declared with it (session only, step-up, rate class, argon2 gate). Admins only: it is a map of the attack surface, useful to reviewers and tests.
#include "console/api.h"
#include "http/json_body.h"

namespace airlock::console {

http::Response api_route_table(const http::Router& router, const guard::AdminCtx&, http::Request&) {
  auto list = nlohmann::json::array();
  for (const auto& r : router.routes())
    list.push_back({{"method", r.method}, {"pattern", r.pattern}, {"access", http::access_name(r.access)},
                    {"on_loop", static_cast<bool>(r.async)}, {"session_only", r.session_only},
                    {"step_up", r.step_up}, {"rate_class", r.rate_class}, {"argon2", r.costly}});
  return http::json_response(200, {{"data", list}});
}

}  // namespace airlock::console
