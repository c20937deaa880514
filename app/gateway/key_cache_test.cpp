#include "gateway/key_cache.h"

#include <catch2/catch_test_macros.hpp>

#include "gateway/keys.h"
#include "support/identity_fixture.h"

using namespace airlock;

namespace {

// Another process on the same data dir, as `airlock key revoke` is to the server: its own store,
// its own writer, the same file.
struct TwoProcesses {
  testing::IdentityFixture f;
  std::unique_ptr<store::Database> other_db;
  gateway::KeyCache cache{*f.db};
  gateway::Deps server{*f.db, f.clock, f.random, f.fields, core::SecretBytes(core::Bytes(32, 0x42)), &cache};
  std::unique_ptr<gateway::Deps> cli;

  TwoProcesses() {
    std::string k = "x'" + std::string(64, 'a') + "'";
    auto opened = store::Database::open(f.dir / "t.db",
                                        core::SecretBytes(reinterpret_cast<const std::uint8_t*>(k.data()), k.size()), {});
    REQUIRE(opened);
    other_db = std::move(*opened);
    cli = std::make_unique<gateway::Deps>(
        gateway::Deps{*other_db, f.clock, f.random, f.fields, core::SecretBytes(core::Bytes(32, 0x42))});
  }
};

}  // namespace

TEST_CASE("the key cache sees a revocation committed by another store on the very next lookup",
          "[gateway][keys][cache][V8.2.1]") {
  TwoProcesses p;
  gateway::KeySpec spec;
  spec.name = "ci";
  auto made = gateway::create_key(*p.cli, spec, {});
  REQUIRE(made);
  // Created by the other process after nothing was cached: found.
  REQUIRE(gateway::authenticate(p.server, made->key, "192.0.2.1"));
  auto before = p.f.db->changes().get(store::Family::kGatewayKeys);
  auto catalog_before = p.f.db->changes().get(store::Family::kCatalog);
  REQUIRE(gateway::revoke_key(*p.cli, made->id, {}));
  CHECK(p.f.db->changes().get(store::Family::kGatewayKeys) > before);
  CHECK(p.f.db->changes().get(store::Family::kCatalog) == catalog_before);  // keys only
  auto after = gateway::authenticate(p.server, made->key, "192.0.2.1");
  REQUIRE_FALSE(after);
  CHECK(after.status().code() == "invalid_api_key");
}

TEST_CASE("an unknown id is remembered as unknown only until a key is created", "[gateway][keys][cache]") {
  TwoProcesses p;
  auto miss = p.cache.find("abcdefgh");
  REQUIRE(miss);
  CHECK_FALSE(miss->has_value());
  gateway::KeySpec spec;
  spec.name = "later";
  auto made = gateway::create_key(*p.cli, spec, {});
  REQUIRE(made);
  auto hit = p.cache.find(made->public_id);
  REQUIRE(hit);
  CHECK(hit->has_value());
}

TEST_CASE("a disabled key and a changed limit hold from the next lookup through the cache", "[gateway][keys][cache]") {
  TwoProcesses p;
  gateway::KeySpec spec;
  spec.name = "ci";
  auto made = gateway::create_key(*p.cli, spec, {});
  REQUIRE(made);
  REQUIRE(gateway::authenticate(p.server, made->key, "192.0.2.1"));
  gateway::KeyUpdate u;
  u.rpm = 7;
  REQUIRE(gateway::update_key(*p.cli, made->id, u, {}));
  auto row = gateway::authenticate(p.server, made->key, "192.0.2.1");
  REQUIRE(row);
  CHECK(row->limits.rpm == 7);
  gateway::KeyUpdate off;
  off.enabled = false;
  REQUIRE(gateway::update_key(*p.cli, made->id, off, {}));
  CHECK_FALSE(gateway::authenticate(p.server, made->key, "192.0.2.1"));
}
