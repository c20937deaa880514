#include "http/health_routes.h"

#include <catch2/catch_test_macros.hpp>

#include "support/temp_dir.h"

using namespace airlock;

TEST_CASE("a flood of /readyz costs at most one write a second", "[http][health]") {
  testing::TempDir dir;
  std::string key = "x'" + std::string(64, 'b') + "'";
  auto db = store::Database::open(dir / "h.db", core::SecretBytes(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()), {});
  REQUIRE(db);
  http::Router router;
  http::add_health_routes(router, **db);
  auto m = router.match("GET", "/readyz");
  REQUIRE(m.route);
  auto jobs_before = (*db)->writer().stats().jobs;
  http::Request req;
  for (int i = 0; i < 200; ++i) CHECK(m.route->handler(req).status == 200);
  // Unauthenticated callers cannot turn probes into 200 fsyncs: a second or two of probes, one or two writes.
  CHECK((*db)->writer().stats().jobs - jobs_before <= 2);
}
