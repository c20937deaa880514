#pragma once
// A real encrypted store in a temp dir with a FakeClock and seeded randomness, for identity tests.
#include <memory>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/field_cipher.h"
#include "identity/service.h"
#include "identity/password.h"
#include "identity/sessions.h"
#include "store/database.h"
#include "store/users_repo.h"
#include "support/temp_dir.h"

namespace airlock::testing {

struct IdentityFixture {
  TempDir dir;
  core::FakeClock clock;
  core::SeededRandom random{42};
  core::SecretBytes master{core::Bytes(32, 0x11)};
  crypto::FieldCipher fields{master, random};
  std::unique_ptr<store::Database> db;
  std::unique_ptr<identity::Deps> deps;

  IdentityFixture() {
    std::string k = "x'" + std::string(64, 'a') + "'";
    auto opened = store::Database::open(dir / "t.db", core::SecretBytes(reinterpret_cast<const std::uint8_t*>(k.data()), k.size()), {});
    if (!opened) throw std::runtime_error(opened.status().describe());
    db = std::move(*opened);
    identity::Policies p;
    p.argon2 = {19456, 2, 1};  // the floor: fast enough for many logins per test
    deps = std::make_unique<identity::Deps>(identity::Deps{*db, random, clock, fields, p});
  }
  identity::Deps& d() { return *deps; }

  // A user inserted directly (no invite), for tests of what happens to them.
  store::UserRow add_user(const std::string& email, identity::Role role,
                          std::string_view password = "a long enough passphrase") {
    auto hash = identity::hash_password(password, deps->policies.argon2, random);
    if (!hash) throw std::runtime_error(hash.status().describe());
    std::optional<store::UserRow> row;
    auto s = db->write([&](store::Tx& tx) {
      row = store::users::find_by_id(tx, store::users::insert(tx, email, *hash, role, deps->now_s()));
      return core::Status::ok();
    });
    if (!s || !row) throw std::runtime_error("add_user failed");
    return *row;
  }
  // The user as committed now.
  // A full session for `user`, as a sign-in with every factor it needs would leave it.
  identity::NewSession start_session(core::UserId id, const identity::Origin& origin) {
    identity::NewSession s;
    auto ok = db->write([&](store::Tx& tx) {
      s = identity::start_session(*deps, tx, id, true, origin);
      return core::Status::ok();
    });
    if (!ok) throw std::runtime_error("start_session failed");
    return s;
  }
  store::UserRow user(core::UserId id) {
    std::optional<store::UserRow> u;
    (void)db->view([&](store::Tx& tx) {
      u = store::users::find_by_id(tx, id);
      return core::Status::ok();
    });
    if (!u) throw std::runtime_error("no such user");
    return *u;
  }
};

}  // namespace airlock::testing
