#include "identity/step_up.h"

#include <SQLiteCpp/Statement.h>

#include <catch2/catch_test_macros.hpp>

#include "identity/account.h"
#include "identity/mfa.h"
#include "identity/sessions.h"
#include "identity/setup.h"
#include "identity/totp.h"
#include "store/users_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;
using testing::IdentityFixture;

namespace {

const identity::Origin kOrigin{"192.0.2.11", "step-agent", "req-step"};
const char* kPassword = "a long enough passphrase";

store::UserRow load(IdentityFixture& f, core::UserId id) { return f.user(id); }

store::SessionRow session(IdentityFixture& f, core::SessionId id, core::UserId user) {
  std::optional<store::SessionRow> s;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    for (auto& row : store::sessions::list_open_for_user(tx, user))
      if (row.id == id) s = row;
    return core::Status::ok();
  }));
  REQUIRE(s);
  return *s;
}

core::SessionId new_session(IdentityFixture& f, core::UserId user) { return f.start_session(user, kOrigin).id; }

}  // namespace

TEST_CASE("signing in counts as a step-up for five minutes and not a second longer", "[identity][step_up][V7.5.1]") {
  IdentityFixture f;
  // An editor without MFA, where the owner allows that: the password alone is the step-up.
  auto owner = std::optional<core::UserId>(f.add_user("ed@example.com", identity::Role::kEditor, kPassword).id);
  REQUIRE(identity::set_mfa_required(f.d(), false, *owner, "owner@example.com", kOrigin));
  auto sid = new_session(f, *owner);
  CHECK(identity::stepped_up(f.d(), session(f, sid, *owner)));
  f.clock.advance(300s);
  CHECK(identity::stepped_up(f.d(), session(f, sid, *owner)));
  f.clock.advance(1s);
  CHECK_FALSE(identity::stepped_up(f.d(), session(f, sid, *owner)));
  // A session row from before migration 5 (reauth_at 0) never counts.
  auto old = session(f, sid, *owner);
  old.reauth_at = 0;
  CHECK_FALSE(identity::stepped_up(f.d(), old));
  // Nor does a timestamp in the future (clock stepped back).
  old.reauth_at = f.d().now_s() + 10;
  CHECK_FALSE(identity::stepped_up(f.d(), old));

  CHECK(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), "not the password", "", kOrigin)
            .code() == "password_wrong");
  CHECK_FALSE(identity::stepped_up(f.d(), session(f, sid, *owner)));
  REQUIRE(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), kPassword, "", kOrigin));
  CHECK(identity::stepped_up(f.d(), session(f, sid, *owner)));
}

TEST_CASE("with MFA on, a step-up needs the password and a fresh code; failures count and are audited",
          "[identity][step_up][V7.5.1][V6.3.1]") {
  IdentityFixture f;
  auto owner = identity::create_owner(f.d(), "owner@example.com", kPassword);
  auto e = identity::begin_totp_enrolment(f.d(), *owner, core::SessionId(1), kOrigin);
  auto secret = *identity::base32_decode(e->secret_base32);
  auto codes = identity::confirm_totp_enrolment(f.d(), *owner, core::SessionId(1), identity::totp_at(secret, f.d().now_s()), kOrigin);
  REQUIRE(codes);
  f.clock.advance(30s);
  auto sid = new_session(f, *owner);
  f.clock.advance(400s);
  auto code = identity::totp_at(secret, f.d().now_s());
  auto u = load(f, *owner);
  CHECK(identity::confirm_identity(f.d(), u, session(f, sid, *owner), kPassword, "", kOrigin).code() ==
        "mfa_code_invalid");
  // A wrong password does not spend the code.
  CHECK(identity::confirm_identity(f.d(), u, session(f, sid, *owner), "wrong password!", code, kOrigin).code() ==
        "password_wrong");
  REQUIRE(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), kPassword, code, kOrigin));
  CHECK(identity::stepped_up(f.d(), session(f, sid, *owner)));
  // The same code again is a replay.
  CHECK(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), kPassword, code, kOrigin).code() ==
        "mfa_code_invalid");
  // A backup code works too.
  REQUIRE(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), kPassword, (*codes)[3], kOrigin));
  int failures = 0, successes = 0;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT outcome, count(*) FROM audit_events WHERE action = 'session.step_up' GROUP BY outcome");
    while (q.executeStep()) (q.getColumn(0).getString() == "failure" ? failures : successes) = q.getColumn(1).getInt();
    return core::Status::ok();
  }));
  CHECK(failures == 3);
  CHECK(successes == 2);
  // Enough failures lock this address out: then even the right answer is refused.
  for (int i = 0; i < 5; ++i) (void)identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), "wrong!", "", kOrigin);
  f.clock.advance(30s);
  CHECK(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), kPassword,
                                   identity::totp_at(secret, f.d().now_s()), kOrigin)
            .code() == "locked");
}

TEST_CASE("a password change is no step-up, and an account the policy holds at enrolment cannot step up by password",
          "[identity][step_up][V7.5.1][V6.3.3]") {
  IdentityFixture f;
  auto owner = identity::create_owner(f.d(), "owner@example.com", kPassword);
  REQUIRE(owner);
  auto sid = new_session(f, *owner);
  // Owners always need MFA: without an authenticator the password alone confirms nothing.
  CHECK(identity::confirm_identity(f.d(), load(f, *owner), session(f, sid, *owner), kPassword, "", kOrigin).code() ==
        "mfa_setup_required");
  auto e = identity::begin_totp_enrolment(f.d(), *owner, core::SessionId(1), kOrigin);
  auto secret = *identity::base32_decode(e->secret_base32);
  REQUIRE(identity::confirm_totp_enrolment(f.d(), *owner, core::SessionId(1), identity::totp_at(secret, f.d().now_s()), kOrigin));
  auto changed = identity::change_password(f.d(), load(f, *owner), sid, kPassword, "a new and long passphrase", kOrigin);
  REQUIRE(changed);
  CHECK_FALSE(identity::stepped_up(f.d(), session(f, changed->id, *owner)));
}
