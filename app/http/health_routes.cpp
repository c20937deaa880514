#include "http/health_routes.h"

#include <atomic>
#include <chrono>
#include <memory>

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
  // The probe takes the write lock and commits; unauthenticated, so a success stands for a second
  // (a flood of probes costs one write a second). A failure is never cached: the next probe tries.
  auto ready_until = std::make_shared<std::atomic<std::int64_t>>(0);
  router.add({"GET", "/readyz", Access::kPublic, [&db, ready_until](Request& req) {
                auto now = std::chrono::steady_clock::now().time_since_epoch().count();
                if (now < ready_until->load(std::memory_order_relaxed)) return ok_json(R"({"status":"ready"})");
                auto s = db.check_ready();
                if (!s) return error_response(503, "not_ready", "The service is not ready.", req.request_id);
                ready_until->store(now + std::chrono::steady_clock::duration(std::chrono::seconds(1)).count(),
                                   std::memory_order_relaxed);
                return ok_json(R"({"status":"ready"})");
              }});
}

}  // namespace airlock::http
