#include "store/catalog_repo.h"

#include <catch2/catch_test_macros.hpp>

#include "support/identity_fixture.h"

using namespace airlock;

TEST_CASE("providers and models are upserted by name and keep their targets in order", "[store][catalog]") {
  testing::IdentityFixture f;
  store::ProviderRow p;
  p.name = "local";
  p.type = "openai";
  p.base_url = "http://127.0.0.1:1/v1";
  p.internal = true;
  core::ProviderId a, b;
  REQUIRE(f.db->write([&](store::Tx& tx) {
    a = store::catalog::upsert_provider(tx, p, 1);
    p.base_url = "http://127.0.0.1:2/v1";
    b = store::catalog::upsert_provider(tx, p, 2);
    store::catalog::set_provider_key(tx, a, std::string("sealed"), "1234", 2);
    store::ModelRow m;
    m.name = "gpt";
    m.targets = {{a, "up-1"}, {a, "up-2"}};
    store::catalog::upsert_model(tx, m, 3);
    m.targets = {{a, "up-3"}};
    store::catalog::upsert_model(tx, m, 4);
    return core::Status::ok();
  }));
  CHECK(a == b);
  REQUIRE(f.db->view([&](store::Tx& tx) {
    auto row = store::catalog::find_provider(tx, a);
    REQUIRE(row);
    CHECK(row->base_url == "http://127.0.0.1:2/v1");
    CHECK(row->api_key_sealed == "sealed");
    CHECK(row->api_key_hint == "1234");
    auto m = store::catalog::find_model(tx, "gpt");
    REQUIRE(m);
    REQUIRE(m->targets.size() == 1);
    CHECK(m->targets[0].upstream_model == "up-3");
    CHECK_FALSE(store::catalog::find_model(tx, "nope"));
    return core::Status::ok();
  }));
}
