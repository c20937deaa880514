#include "gateway/key_rotation.h"

#include <SQLiteCpp/Statement.h>
#include <catch2/catch_test_macros.hpp>

#include "gateway/key_format.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;

namespace {

struct RotationFixture {
  testing::IdentityFixture f;
  gateway::Deps deps{*f.db, f.clock, f.random, f.fields, core::SecretBytes(core::Bytes(32, 0x42))};

  gateway::CreatedKey key(gateway::KeySpec spec = {}) {
    if (spec.name.empty()) spec.name = "ci";
    auto made = gateway::create_key(deps, spec, {});
    REQUIRE(made);
    return *made;
  }
  std::string code(const std::string& presented) {
    auto r = gateway::authenticate(deps, presented, "192.0.2.1");
    return r ? "ok" : r.status().code();
  }
  store::GatewayKeyRow row(core::KeyId id) {
    std::optional<store::GatewayKeyRow> out;
    REQUIRE(deps.db.view([&](store::Tx& tx) {
      out = store::gateway_keys::find(tx, id);
      return core::Status::ok();
    }));
    REQUIRE(out);
    return *out;
  }
  std::vector<std::string> audit_details(const std::string& action) {
    std::vector<std::string> out;
    REQUIRE(f.db->view([&](store::Tx& tx) {
      SQLite::Statement q(tx.db(), "SELECT details FROM audit_events WHERE action = ? ORDER BY id");
      q.bind(1, action);
      while (q.executeStep()) out.push_back(q.getColumn(0).getString());
      return core::Status::ok();
    }));
    return out;
  }
};

}  // namespace

TEST_CASE("a rotated key's old secret works during the grace and not a second after it",
          "[gateway][keys][rotation][V11.4.2]") {
  RotationFixture r;
  gateway::KeySpec spec;
  spec.name = "ci";
  spec.limits.rpm = 7;
  auto made = r.key(spec);
  auto created = r.row(made.id);
  r.f.clock.advance(100s);
  auto rotated = gateway::rotate_key(r.deps, made.id, 3600, {});
  REQUIRE(rotated);
  // Same key: same public id and row, limits kept; only the secret changed.
  CHECK(gateway::gateway_key_public_id(rotated->key) == made.public_id);
  CHECK(rotated->key != made.key);
  auto after = r.row(made.id);
  CHECK(after.limits.rpm == 7);
  CHECK(after.secret_hash != created.secret_hash);
  CHECK(after.prev_secret_hash == created.secret_hash);
  CHECK(after.secret_created_at == created.created_at + 100);
  REQUIRE(rotated->previous_valid_until);
  CHECK(*rotated->previous_valid_until == after.secret_created_at + 3600);

  CHECK(r.code(rotated->key) == "ok");
  CHECK(r.code(made.key) == "ok");
  r.f.clock.advance(3599s);
  CHECK(r.code(made.key) == "ok");
  CHECK(gateway::in_grace(r.row(made.id), r.deps.now_s()));
  r.f.clock.advance(1s);  // the grace's last second is over
  CHECK(r.code(made.key) == "rotated_secret");
  CHECK(r.code(rotated->key) == "ok");
  CHECK_FALSE(gateway::in_grace(r.row(made.id), r.deps.now_s()));
  // Both events are audited; neither carries a secret or a hash.
  auto events = r.audit_details("gateway_key.rotate");
  REQUIRE(events.size() == 1);
  CHECK(events[0].find("\"grace_seconds\":3600") != std::string::npos);
  CHECK(events[0].find(rotated->key.substr(13)) == std::string::npos);
  CHECK(events[0].find(made.key.substr(13)) == std::string::npos);
}

TEST_CASE("rotation without grace stops the old secret at once; rotating again forgets the older one",
          "[gateway][keys][rotation][V11.4.2]") {
  RotationFixture r;
  auto made = r.key();
  auto first = gateway::rotate_key(r.deps, made.id, 0, {});
  REQUIRE(first);
  CHECK_FALSE(first->previous_valid_until);
  CHECK(r.code(made.key) == "rotated_secret");  // recognised, and refused
  CHECK(r.code(first->key) == "ok");

  auto second = gateway::rotate_key(r.deps, made.id, 86400, {});
  REQUIRE(second);
  CHECK(r.code(first->key) == "ok");           // the secret just replaced: in its grace
  CHECK(r.code(made.key) == "invalid_api_key");  // two rotations back: a stranger's key now
  // A third rotation during the grace cuts it short: only the secret it replaces is honoured.
  auto third = gateway::rotate_key(r.deps, made.id, 60, {});
  REQUIRE(third);
  CHECK(r.code(first->key) == "invalid_api_key");
  CHECK(r.code(second->key) == "ok");
  CHECK(r.audit_details("gateway_key.rotate").back().find("\"previous_grace_cut_short\":true") != std::string::npos);
}

TEST_CASE("ending a grace early, revoking and disabling hold for every secret of the key",
          "[gateway][keys][rotation][V11.4.2]") {
  RotationFixture r;
  auto made = r.key();
  auto rotated = gateway::rotate_key(r.deps, made.id, 86400, {});
  REQUIRE(rotated);
  REQUIRE(gateway::end_grace(r.deps, made.id, {}));
  CHECK(r.code(made.key) == "rotated_secret");
  CHECK(r.code(rotated->key) == "ok");
  CHECK(gateway::end_grace(r.deps, made.id, {}).code() == "not_found");  // none running now
  CHECK(r.audit_details("gateway_key.grace_end").size() == 1);

  auto other = r.key();
  auto next = gateway::rotate_key(r.deps, other.id, 86400, {});
  REQUIRE(next);
  gateway::KeyUpdate off;
  off.enabled = false;
  REQUIRE(gateway::update_key(r.deps, other.id, off, {}));
  CHECK(r.code(other.key) == "invalid_api_key");
  CHECK(r.code(next->key) == "invalid_api_key");
  REQUIRE(gateway::revoke_key(r.deps, made.id, {}));
  CHECK(r.code(rotated->key) == "invalid_api_key");
  CHECK(gateway::rotate_key(r.deps, made.id, 0, {}).status().code() == "not_found");
  CHECK(gateway::rotate_key(r.deps, core::KeyId(999), 0, {}).status().code() == "not_found");
}

TEST_CASE("grace bounds: 0 to 30 days exactly", "[gateway][keys][rotation]") {
  RotationFixture r;
  auto made = r.key();
  CHECK(gateway::rotate_key(r.deps, made.id, -1, {}).status().code() == "grace_invalid");
  CHECK(gateway::rotate_key(r.deps, made.id, gateway::kMaxGraceSeconds + 1, {}).status().code() == "grace_invalid");
  CHECK(r.code(made.key) == "ok");  // a refused rotation changed nothing
  CHECK(gateway::rotate_key(r.deps, made.id, gateway::kMaxGraceSeconds, {}));
}

TEST_CASE("a max-age policy marks keys due from the second their secret reaches it; rotation resets the age",
          "[gateway][keys][rotation]") {
  RotationFixture r;
  auto made = r.key();
  CHECK(gateway::key_max_age_days(r.deps).value() == std::nullopt);
  CHECK_FALSE(gateway::rotation_due(r.row(made.id), std::nullopt, r.deps.now_s() + 10 * 365 * 86400LL));
  CHECK(gateway::set_key_max_age_days(r.deps, -1, {}).code() == "max_age_invalid");
  CHECK(gateway::set_key_max_age_days(r.deps, gateway::kMaxKeyAgeDays + 1, {}).code() == "max_age_invalid");
  REQUIRE(gateway::set_key_max_age_days(r.deps, 90, {}));
  auto policy = gateway::key_max_age_days(r.deps).value();
  REQUIRE(policy == 90);
  r.f.clock.advance(std::chrono::seconds(90 * 86400 - 1));
  CHECK_FALSE(gateway::rotation_due(r.row(made.id), policy, r.deps.now_s()));
  r.f.clock.advance(1s);
  CHECK(gateway::rotation_due(r.row(made.id), policy, r.deps.now_s()));
  REQUIRE(gateway::rotate_key(r.deps, made.id, 0, {}));
  CHECK_FALSE(gateway::rotation_due(r.row(made.id), policy, r.deps.now_s()));
  REQUIRE(gateway::set_key_max_age_days(r.deps, 0, {}));
  CHECK(gateway::key_max_age_days(r.deps).value() == std::nullopt);
  auto changes = r.audit_details("settings.change");
  REQUIRE(changes.size() == 2);
  CHECK(changes[0] == R"({"after":90,"before":null})");
  CHECK(changes[1] == R"({"after":null,"before":90})");
}
