#include "identity/mfa.h"

#include <catch2/catch_test_macros.hpp>

#include "identity/login.h"
#include "identity/setup.h"
#include "identity/totp.h"
#include "store/users_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;
using testing::IdentityFixture;

namespace {
const identity::Origin kOrigin{"192.0.2.7", "test-agent", "req-mfa"};
const char* kPassword = "a long enough passphrase";

std::int64_t now_s(IdentityFixture& f) { return f.d().now_s(); }

struct Enrolled {
  core::UserId id;
  core::Bytes secret;
  std::vector<std::string> backup;
};

Enrolled enrol(IdentityFixture& f) {
  auto id = identity::create_owner(f.d(), "owner@example.com", kPassword);
  REQUIRE(id);
  auto e = identity::begin_totp_enrolment(f.d(), *id, core::SessionId(1), kOrigin);
  REQUIRE(e);
  auto secret = *identity::base32_decode(e->secret_base32);
  auto codes = identity::confirm_totp_enrolment(f.d(), *id, core::SessionId(1), identity::totp_at(secret, now_s(f)), kOrigin);
  REQUIRE(codes);
  return {*id, secret, *codes};
}

store::UserRow user(IdentityFixture& f, core::UserId id) {
  std::optional<store::UserRow> u;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    u = store::users::find_by_id(tx, id);
    return core::Status::ok();
  }));
  return *u;
}
}  // namespace

TEST_CASE("enrolment needs a valid code and stores the secret encrypted", "[identity][mfa][V6.5.3]") {
  IdentityFixture f;
  auto id = identity::create_owner(f.d(), "owner@example.com", kPassword);
  REQUIRE(id);
  auto e = identity::begin_totp_enrolment(f.d(), *id, core::SessionId(1), kOrigin);
  REQUIRE(e);
  CHECK(identity::confirm_totp_enrolment(f.d(), *id, core::SessionId(1), "000000", kOrigin).status().code() == "mfa_code_invalid");
  auto u = user(f, *id);
  CHECK_FALSE(u.totp_enabled);
  REQUIRE(u.totp_secret);
  CHECK(u.totp_secret->find(e->secret_base32) == std::string::npos);
  CHECK(u.totp_secret->rfind("v1.", 0) == 0);
}

TEST_CASE("turning MFA off needs the password and a fresh code", "[identity][mfa]") {
  IdentityFixture f;
  auto en = enrol(f);
  // Only where the policy allows it: an editor, with MFA relaxed for editors and viewers.
  REQUIRE(identity::set_mfa_required(f.d(), false, en.id, "owner@example.com", kOrigin));
  REQUIRE(f.db->write([&](store::Tx& tx) {
    store::users::set_role(tx, en.id, identity::Role::kEditor, now_s(f));
    return core::Status::ok();
  }));
  f.clock.advance(30s);  // the enrolment code's step is spent
  auto code = identity::totp_at(en.secret, now_s(f));
  CHECK(identity::disable_totp(f.d(), user(f, en.id), "wrong password here", code, kOrigin).code() == "password_wrong");
  f.clock.advance(30s);
  CHECK(identity::disable_totp(f.d(), user(f, en.id), kPassword, "123456", kOrigin).code() == "mfa_code_invalid");
  CHECK(user(f, en.id).totp_enabled);
  f.clock.advance(30s);
  REQUIRE(identity::disable_totp(f.d(), user(f, en.id), kPassword, identity::totp_at(en.secret, now_s(f)), kOrigin));
  auto u = user(f, en.id);
  CHECK_FALSE(u.totp_enabled);
  CHECK_FALSE(u.totp_secret.has_value());
}

TEST_CASE("MFA cannot be turned off while the policy requires it for the role", "[identity][mfa][V6.3.3]") {
  IdentityFixture f;
  auto en = enrol(f);
  CHECK(identity::mfa_required(f.d()));  // on by default, for editors and viewers too
  // Owners and admins: always, whatever the setting says.
  REQUIRE(identity::set_mfa_required(f.d(), false, en.id, "owner@example.com", kOrigin));
  for (auto role : {identity::Role::kOwner, identity::Role::kAdmin}) {
    CHECK(identity::mfa_required_for(f.d(), role));
    REQUIRE(f.db->write([&](store::Tx& tx) {
      store::users::set_role(tx, en.id, role, now_s(f));
      return core::Status::ok();
    }));
    f.clock.advance(30s);
    CHECK(identity::disable_totp(f.d(), user(f, en.id), kPassword, identity::totp_at(en.secret, now_s(f)), kOrigin)
              .code() == "mfa_required_by_policy");
  }
  CHECK_FALSE(identity::mfa_required_for(f.d(), identity::Role::kEditor));
  CHECK_FALSE(identity::mfa_required_for(f.d(), identity::Role::kViewer));
  // Editors and viewers: as the owner sets it.
  REQUIRE(identity::set_mfa_required(f.d(), true, en.id, "owner@example.com", kOrigin));
  CHECK(identity::mfa_required_for(f.d(), identity::Role::kViewer));
  REQUIRE(f.db->write([&](store::Tx& tx) {
    store::users::set_role(tx, en.id, identity::Role::kViewer, now_s(f));
    return core::Status::ok();
  }));
  f.clock.advance(30s);
  CHECK(identity::disable_totp(f.d(), user(f, en.id), kPassword, identity::totp_at(en.secret, now_s(f)), kOrigin).code() ==
        "mfa_required_by_policy");
}

TEST_CASE("the MFA step replaces the session and refuses replays and used backup codes", "[identity][mfa][V7.2.4]") {
  IdentityFixture f;
  auto en = enrol(f);
  auto login = identity::login_with_password(f.d(), "owner@example.com", kPassword, kOrigin);
  REQUIRE(login);
  REQUIRE(login->mfa_pending);
  auto pending = identity::resolve_session(f.d(), login->session.token);
  REQUIRE(pending);
  CHECK_FALSE(pending->session.mfa_done);
  // The enrolment code's step was accepted already: the same step is refused.
  CHECK_FALSE(identity::complete_mfa_step(f.d(), pending->session, identity::totp_at(en.secret, now_s(f)), kOrigin));
  auto full = identity::complete_mfa_step(f.d(), pending->session, en.backup[0], kOrigin);
  REQUIRE(full);
  CHECK(full->token != login->session.token);
  CHECK_FALSE(identity::resolve_session(f.d(), login->session.token));
  auto active = identity::resolve_session(f.d(), full->token);
  REQUIRE(active);
  CHECK(active->session.mfa_done);

  auto again = identity::login_with_password(f.d(), "owner@example.com", kPassword, kOrigin);
  REQUIRE(again);
  auto p2 = identity::resolve_session(f.d(), again->session.token);
  REQUIRE(p2);
  CHECK_FALSE(identity::complete_mfa_step(f.d(), p2->session, en.backup[0], kOrigin));  // used
  f.clock.advance(30s);
  CHECK(identity::complete_mfa_step(f.d(), p2->session, identity::totp_at(en.secret, now_s(f)), kOrigin));
}

TEST_CASE("wrong MFA codes count towards the lockout", "[identity][mfa][V6.3.1]") {
  IdentityFixture f;
  auto en = enrol(f);
  for (int i = 0; i < 5; ++i) {
    auto login = identity::login_with_password(f.d(), "owner@example.com", kPassword, kOrigin);
    REQUIRE(login);
    auto p = identity::resolve_session(f.d(), login->session.token);
    REQUIRE(p);
    CHECK_FALSE(identity::complete_mfa_step(f.d(), p->session, "999999", kOrigin));
  }
  // Locked: even the right password is refused now.
  CHECK_FALSE(identity::login_with_password(f.d(), "owner@example.com", kPassword, kOrigin));
}

TEST_CASE("turning the policy on ends sessions of accounts without a factor, keeps the rest, and says how many",
          "[identity][mfa][V6.3.3]") {
  IdentityFixture f;
  auto en = enrol(f);
  REQUIRE(identity::set_mfa_required(f.d(), false, en.id, "owner@example.com", kOrigin));
  f.add_user("ed@example.com", identity::Role::kEditor);
  auto ed = identity::login_with_password(f.d(), "ed@example.com", kPassword, kOrigin);
  REQUIRE(ed);
  REQUIRE_FALSE(ed->mfa_pending);  // relaxed: the password was enough
  auto owner_login = identity::login_with_password(f.d(), "owner@example.com", kPassword, kOrigin);
  REQUIRE(owner_login);
  auto owner_pending = identity::resolve_session(f.d(), owner_login->session.token);
  REQUIRE(owner_pending);
  auto owner = identity::complete_mfa_step(f.d(), owner_pending->session, en.backup[0], kOrigin);
  REQUIRE(owner);

  REQUIRE(identity::set_mfa_required(f.d(), true, en.id, "owner@example.com", kOrigin));
  // Ended, not held at enrolment: a stolen cookie alone must not be able to add a factor.
  CHECK_FALSE(identity::resolve_session(f.d(), ed->session.token));
  auto kept = identity::resolve_session(f.d(), owner->token);
  REQUIRE(kept);
  CHECK(kept->session.mfa_done);  // has a factor: untouched
  std::string details;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT details FROM audit_events WHERE action = 'settings.change' ORDER BY id DESC LIMIT 1");
    REQUIRE(q.executeStep());
    details = q.getColumn(0).getString();
    return core::Status::ok();
  }));
  CHECK(details == R"({"before":false,"after":true,"sessions_ended_for_mfa":1})");
}

TEST_CASE("five wrong codes on one pending session end it, from whichever addresses; the delay grows",
          "[identity][mfa][V6.3.1][V6.1.1]") {
  IdentityFixture f;
  auto en = enrol(f);
  // A code that no step near now produces.
  auto wrong = [&] {
    for (int n = 0;; ++n) {
      std::string c = std::to_string(100000 + n * 7919 % 900000);
      bool near = false;
      for (int d = -2; d <= 2; ++d) near |= identity::totp_at(en.secret, now_s(f) + 30 * d) == c;
      if (!near) return c;
    }
  };
  auto login = identity::login_with_password(f.d(), "owner@example.com", kPassword, kOrigin);
  REQUIRE(login);
  std::chrono::milliseconds delay{0};
  for (int i = 0; i < 4; ++i) {
    auto p = identity::resolve_session(f.d(), login->session.token);
    REQUIRE(p);  // still pending after 4 failures
    identity::Origin from{"198.51.100." + std::to_string(i + 1), "attacker", "req"};
    CHECK_FALSE(identity::complete_mfa_step(f.d(), p->session, wrong(), from, &delay));
  }
  auto p = identity::resolve_session(f.d(), login->session.token);
  REQUIRE(p);
  CHECK_FALSE(identity::complete_mfa_step(f.d(), p->session, wrong(), {"198.51.100.9", "attacker", "req"}, &delay));
  CHECK(delay == 1s);  // the account's delay began at the fifth failure, as at the password step
  // The fifth failure, each from another address (no address lock), ended the pending session.
  CHECK_FALSE(identity::resolve_session(f.d(), login->session.token));
  // The right code cannot finish it any more: the password is asked again.
  CHECK_FALSE(identity::complete_mfa_step(f.d(), p->session, identity::totp_at(en.secret, now_s(f)), kOrigin));
}

TEST_CASE("an enrolment secret belongs to the session that saw it, and expires", "[identity][mfa][V6.4.1]") {
  IdentityFixture f;
  auto id = identity::create_owner(f.d(), "owner@example.com", kPassword);
  REQUIRE(id);
  const core::SessionId mine(11), theirs(12);
  auto e = identity::begin_totp_enrolment(f.d(), *id, theirs, kOrigin);
  REQUIRE(e);
  auto seen = *identity::base32_decode(e->secret_base32);
  // Another session is never shown it and cannot confirm it, even with a right code.
  CHECK_FALSE(identity::pending_totp_enrolment(f.d(), *id, mine));
  CHECK(identity::confirm_totp_enrolment(f.d(), *id, mine, identity::totp_at(seen, now_s(f)), kOrigin).status().code() ==
        "mfa_not_pending");
  // My own enrolment makes a fresh secret; the one the other session saw is dead for both.
  auto own = identity::begin_totp_enrolment(f.d(), *id, mine, kOrigin);
  REQUIRE(own);
  CHECK(own->secret_base32 != e->secret_base32);
  CHECK_FALSE(identity::pending_totp_enrolment(f.d(), *id, theirs));
  CHECK_FALSE(identity::confirm_totp_enrolment(f.d(), *id, theirs, identity::totp_at(seen, now_s(f)), kOrigin));
  CHECK_FALSE(identity::confirm_totp_enrolment(f.d(), *id, mine, identity::totp_at(seen, now_s(f)), kOrigin));
  // It expires after ten minutes.
  CHECK(identity::pending_totp_enrolment(f.d(), *id, mine));
  f.clock.advance(identity::kEnrolmentLifetime);
  CHECK_FALSE(identity::pending_totp_enrolment(f.d(), *id, mine));
  auto secret = *identity::base32_decode(own->secret_base32);
  CHECK(identity::confirm_totp_enrolment(f.d(), *id, mine, identity::totp_at(secret, now_s(f)), kOrigin).status().code() ==
        "mfa_not_pending");
  // Within its lifetime, it works.
  auto again = identity::begin_totp_enrolment(f.d(), *id, mine, kOrigin);
  REQUIRE(again);
  f.clock.advance(identity::kEnrolmentLifetime - std::chrono::seconds(31));
  auto fresh = *identity::base32_decode(again->secret_base32);
  CHECK(identity::confirm_totp_enrolment(f.d(), *id, mine, identity::totp_at(fresh, now_s(f)), kOrigin));
}
