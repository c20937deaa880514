#include "identity/account.h"

#include <catch2/catch_test_macros.hpp>

#include "identity/login.h"
#include "identity/mfa.h"
#include "identity/password.h"
#include "identity/users_admin.h"
#include "store/sessions_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using testing::IdentityFixture;

namespace {
const identity::Origin kOrigin{"192.0.2.9", "test-agent", "req-account"};
const char* kPassword = "a long enough passphrase";
const char* kFresh = "an entirely new passphrase";
}  // namespace

TEST_CASE("a password change from a session that ended meanwhile changes nothing and hands out no session",
          "[identity][account][V7.4.5]") {
  IdentityFixture f;
  auto owner = f.add_user("owner@example.com", identity::Role::kOwner);
  auto ed = f.add_user("ed@example.com", identity::Role::kEditor);
  auto asking = f.start_session(ed.id, kOrigin);
  // The admin signs the editor out after the guard let the request through, before it commits.
  REQUIRE(identity::revoke_sessions(f.d(), f.user(owner.id), ed.id, kOrigin));
  auto changed = identity::change_password(f.d(), ed, asking.id, kPassword, kFresh, kOrigin);
  REQUIRE_FALSE(changed);
  CHECK(changed.status().code() == "session_ended");
  CHECK(identity::verify_password(kPassword, f.user(ed.id).password_hash, f.d().policies.argon2).ok);
  CHECK(identity::open_sessions(f.d(), ed.id)->empty());

  // From a live session it goes through: every session ends, one fresh one for the asker.
  auto live = f.start_session(ed.id, kOrigin);
  auto other = f.start_session(ed.id, kOrigin);
  auto ok = identity::change_password(f.d(), ed, live.id, kPassword, kFresh, kOrigin);
  REQUIRE(ok);
  auto open = identity::open_sessions(f.d(), ed.id).value();
  REQUIRE(open.size() == 1);
  CHECK(open[0].id == ok->id);
  CHECK(open[0].id != other.id);
}

TEST_CASE("turning the MFA policy on ends the open sessions of accounts without a factor", "[identity][mfa][V6.3.3]") {
  IdentityFixture f;
  auto owner = f.add_user("owner@example.com", identity::Role::kOwner);
  REQUIRE(identity::set_mfa_required(f.d(), false, owner.id, owner.email, kOrigin));
  auto ed = f.add_user("ed@example.com", identity::Role::kEditor);
  auto s1 = f.start_session(ed.id, kOrigin);
  f.start_session(ed.id, kOrigin);
  // Turning it off, or on while it is on already, ends nothing more than it must.
  REQUIRE(identity::set_mfa_required(f.d(), false, owner.id, owner.email, kOrigin));
  CHECK(identity::open_sessions(f.d(), ed.id)->size() == 2);
  // A sign-in with the policy off gets a full session.
  auto relaxed = identity::login_with_password(f.d(), "ed@example.com", kPassword, kOrigin);
  REQUIRE(relaxed);
  CHECK_FALSE(relaxed->mfa_pending);

  REQUIRE(identity::set_mfa_required(f.d(), true, owner.id, owner.email, kOrigin));
  CHECK(identity::open_sessions(f.d(), ed.id)->empty());
  CHECK_FALSE(identity::resolve_session(f.d(), s1.token));
  // The next sign-in is held at enrolment (password first), not let through.
  auto again = identity::login_with_password(f.d(), "ed@example.com", kPassword, kOrigin);
  REQUIRE(again);
  CHECK(again->mfa_pending);
}
