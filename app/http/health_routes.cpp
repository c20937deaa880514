#include "http/health_routes.h"

#include "http/errors.h"

namespace airlock::http {
namespace {

Response ok_json(std::string body) {
  Response r;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace

void add_health_routes(Router& router, store::Database& db) {
  router.add({"GET", "/healthz", Access::kPublic, [](Request&) { return ok_json(R"({"status":"ok"})"); }});
  router.add({"GET", "/readyz", Access::kPublic, [&db](Request& req) {
                auto s = db.check_ready();
                if (!s) return error_response(503, "not_ready", "The service is not ready.", req.request_id);
                return ok_json(R"({"status":"ready"})");
              }});
}

}  // namespace airlock::http
