#pragma once
// A real encrypted store in a temp dir with a FakeClock and seeded randomness, for identity tests.
#include <memory>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/field_cipher.h"
#include "identity/service.h"
#include "store/database.h"
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
};

}  // namespace airlock::testing
