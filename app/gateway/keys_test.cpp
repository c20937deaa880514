#include "gateway/keys.h"

#include <catch2/catch_test_macros.hpp>

#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;

namespace {

struct KeysFixture {
  testing::IdentityFixture f;
  gateway::Deps deps{*f.db, f.clock, f.random, f.fields, core::SecretBytes(core::Bytes(32, 0x42))};
};

}  // namespace

TEST_CASE("a gateway key works until it expires, and the expiry is checked against the injected clock",
          "[gateway][keys][V7.3.1]") {
  KeysFixture k;
  gateway::KeySpec spec;
  spec.name = "ci";
  spec.expires_in_s = 3600;
  auto made = gateway::create_key(k.deps, spec, {});
  REQUIRE(made);
  CHECK(gateway::authenticate(k.deps, made->key, "192.0.2.1"));
  k.f.clock.advance(3599s);
  CHECK(gateway::authenticate(k.deps, made->key, "192.0.2.1"));
  k.f.clock.advance(1s);
  auto expired = gateway::authenticate(k.deps, made->key, "192.0.2.1");
  REQUIRE_FALSE(expired);
  CHECK(expired.status().code() == "invalid_api_key");
}

TEST_CASE("revoked keys, other peppers and near-miss secrets are refused alike", "[gateway][keys][V11.4.2]") {
  KeysFixture k;
  gateway::KeySpec spec;
  spec.name = "ci";
  auto made = gateway::create_key(k.deps, spec, {});
  REQUIRE(made);
  // Another master key means another pepper: a copied database does not open the keys.
  gateway::Deps other{*k.f.db, k.f.clock, k.f.random, k.f.fields, core::SecretBytes(core::Bytes(32, 0x43))};
  CHECK_FALSE(gateway::authenticate(other, made->key, "192.0.2.1"));
  auto near = made->key;
  near[20] = near[20] == 'A' ? 'B' : 'A';
  CHECK(gateway::authenticate(k.deps, near, "192.0.2.1").status().code() == "invalid_api_key");
  REQUIRE(gateway::revoke_key(k.deps, made->id, {}));
  CHECK(gateway::authenticate(k.deps, made->key, "192.0.2.1").status().code() == "invalid_api_key");
  CHECK(gateway::revoke_key(k.deps, made->id, {}).code() == "not_found");
  // Listed without the secret; revoked keys only on request.
  CHECK(gateway::list_keys(k.deps, false)->empty());
  auto all = gateway::list_keys(k.deps, true).value();
  REQUIRE(all.size() == 1);
  CHECK(all[0].revoked_at.has_value());
  CHECK(all[0].secret_hash != made->key);
}

TEST_CASE("an IP allowlist admits its networks only, for IPv4 and IPv6", "[gateway][keys][V8.3.1]") {
  KeysFixture k;
  gateway::KeySpec spec;
  spec.name = "office";
  spec.ip_allowlist = {"10.1.0.0/16", "2001:db8::/32"};
  auto made = gateway::create_key(k.deps, spec, {});
  REQUIRE(made);
  for (const char* ok : {"10.1.2.3", "10.1.255.255", "2001:db8::1"}) {
    INFO(ok);
    CHECK(gateway::authenticate(k.deps, made->key, ok));
  }
  for (const char* no : {"10.2.0.1", "127.0.0.1", "2001:db9::1", "::ffff:10.2.0.1", "", "not-an-ip", "010.1.2.3"}) {
    INFO(no);
    auto r = gateway::authenticate(k.deps, made->key, no);
    REQUIRE_FALSE(r);
    CHECK(r.status().code() == "ip_not_allowed");
  }
}

TEST_CASE("key specs are validated before anything is stored", "[gateway][keys]") {
  KeysFixture k;
  auto bad = [&](gateway::KeySpec s) { return gateway::create_key(k.deps, s, {}).status().code(); };
  gateway::KeySpec s;
  CHECK(bad(s) == "key_name_invalid");
  s.name = "x";
  s.scopes = {"chat", "admin"};
  CHECK(bad(s) == "key_scope_invalid");
  s.scopes = {};
  CHECK(bad(s) == "key_scope_invalid");
  s.scopes = {"chat"};
  s.ip_allowlist = {"10.0.0.1/8"};
  CHECK(bad(s) == "key_cidr_invalid");
  s.ip_allowlist = {};
  s.limits.rpm = 0;
  CHECK(bad(s) == "key_limit_invalid");
  s.limits.rpm = 10;
  s.expires_in_s = 59;
  CHECK(bad(s) == "key_expiry_invalid");
  CHECK(gateway::list_keys(k.deps, true)->empty());
}
