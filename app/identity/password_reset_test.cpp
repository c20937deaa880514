#include "identity/password_reset.h"

#include <SQLiteCpp/Statement.h>

#include <catch2/catch_test_macros.hpp>

#include "identity/account.h"
#include "identity/login.h"
#include "identity/mfa.h"
#include "identity/sessions.h"
#include "identity/setup.h"
#include "identity/totp.h"
#include "identity/users_admin.h"
#include "store/access_tokens_repo.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;
using identity::Role;
using testing::IdentityFixture;

namespace {

const identity::Origin kOrigin{"192.0.2.9", "reset-agent", "req-reset"};
const char* kPassword = "a long enough passphrase";
const char* kFresh = "another rather long passphrase";

store::UserRow load(IdentityFixture& f, core::UserId id) { return f.user(id); }
core::UserId add_user(IdentityFixture& f, const std::string& email, Role role) { return f.add_user(email, role, kPassword).id; }

struct Mfa {
  core::Bytes secret;
  std::vector<std::string> backup;
};

Mfa enrol(IdentityFixture& f, core::UserId id) {
  auto e = identity::begin_totp_enrolment(f.d(), id, core::SessionId(1), kOrigin);
  REQUIRE(e);
  auto secret = *identity::base32_decode(e->secret_base32);
  auto codes = identity::confirm_totp_enrolment(f.d(), id, core::SessionId(1), identity::totp_at(secret, f.d().now_s()), kOrigin);
  REQUIRE(codes);
  f.clock.advance(30s);  // the enrolment code's step is spent
  return {secret, *codes};
}

int open_sessions(IdentityFixture& f, core::UserId id) {
  int n = 0;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    n = static_cast<int>(store::sessions::list_open_for_user(tx, id).size());
    return core::Status::ok();
  }));
  return n;
}

int count_audit(IdentityFixture& f, const std::string& action, const std::string& outcome) {
  int n = 0;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT count(*) FROM audit_events WHERE action = ? AND outcome = ?");
    q.bind(1, action);
    q.bind(2, outcome);
    q.executeStep();
    n = q.getColumn(0).getInt();
    return core::Status::ok();
  }));
  return n;
}

bool signs_in(IdentityFixture& f, const std::string& email, const char* password) {
  return identity::login_with_password(f.d(), email, password, kOrigin).is_ok();
}

}  // namespace

TEST_CASE("a reset link sets a new password once, ends sessions and tokens, and is audited",
          "[identity][reset][V6.4.3]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  f.start_session(ed, kOrigin);
  f.start_session(ed, kOrigin);
  auto made = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  REQUIRE(made);
  CHECK(made->token.size() == 43);
  CHECK(made->expires_at - f.d().now_s() == 3600);
  CHECK(count_audit(f, "user.password_reset_link", "success") == 1);
  // Only the hash is stored: the row holds SHA-256 of the token, and nowhere the token itself.
  REQUIRE(f.db->view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT token_hash FROM one_time_tokens WHERE kind = 'reset'");
    REQUIRE(q.executeStep());
    auto stored = q.getColumn(0).getString();
    CHECK(stored == identity::hash_secret(made->token));
    CHECK(stored.find(made->token) == std::string::npos);
    SQLite::Statement any(tx.db(), "SELECT count(*) FROM one_time_tokens WHERE instr(CAST(token_hash AS TEXT), ?) > 0 "
                                   "OR instr(coalesce(email, ''), ?) > 0");
    any.bind(1, made->token);
    any.bind(2, made->token);
    any.executeStep();
    CHECK(any.getColumn(0).getInt() == 0);
    return core::Status::ok();
  }));
  auto info = identity::reset_usable(f.d(), made->token);
  REQUIRE(info);
  CHECK(info->email == "ed@example.com");
  CHECK_FALSE(info->mfa);

  // A refused password leaves the link usable.
  CHECK(identity::complete_password_reset(f.d(), made->token, "short", "", kOrigin).code() == "password_too_short");
  REQUIRE(identity::complete_password_reset(f.d(), made->token, kFresh, "", kOrigin));
  CHECK(open_sessions(f, ed) == 0);
  CHECK(count_audit(f, "user.password_reset", "success") == 1);
  CHECK_FALSE(signs_in(f, "ed@example.com", kPassword));
  CHECK(signs_in(f, "ed@example.com", kFresh));
  // Single use.
  CHECK_FALSE(identity::reset_usable(f.d(), made->token));
  CHECK(identity::complete_password_reset(f.d(), made->token, "yet another long passphrase", "", kOrigin).code() ==
        "reset_invalid");
}

TEST_CASE("a reset link lasts an hour and not a second longer; a newer one voids it", "[identity][reset][V6.4.3]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  auto first = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  REQUIRE(first);
  f.clock.advance(3599s);
  CHECK(identity::reset_usable(f.d(), first->token));
  f.clock.advance(1s);
  CHECK_FALSE(identity::reset_usable(f.d(), first->token));
  CHECK(identity::complete_password_reset(f.d(), first->token, kFresh, "", kOrigin).code() == "reset_invalid");

  auto a = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  auto b = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  REQUIRE(a);
  REQUIRE(b);
  CHECK_FALSE(identity::reset_usable(f.d(), a->token));
  CHECK(identity::reset_usable(f.d(), b->token));
  // Malformed tokens never match.
  CHECK_FALSE(identity::reset_usable(f.d(), ""));
  CHECK_FALSE(identity::reset_usable(f.d(), b->token.substr(0, 42)));
  CHECK_FALSE(identity::reset_usable(f.d(), b->token + "A"));
}

TEST_CASE("with MFA on, a reset still needs a current code or an unused backup code", "[identity][reset][V6.4.3]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  auto mfa = enrol(f, ed);
  auto made = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  REQUIRE(made);
  CHECK(identity::reset_usable(f.d(), made->token)->mfa);
  CHECK(identity::complete_password_reset(f.d(), made->token, kFresh, "", kOrigin).code() == "mfa_code_invalid");
  CHECK(identity::complete_password_reset(f.d(), made->token, kFresh, "000000", kOrigin).code() == "mfa_code_invalid");
  CHECK(count_audit(f, "user.password_reset", "failure") == 2);
  CHECK(signs_in(f, "ed@example.com", kPassword));  // nothing changed
  // A backup code works, once.
  REQUIRE(identity::complete_password_reset(f.d(), made->token, kFresh, mfa.backup[0], kOrigin));
  auto again = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  CHECK(identity::complete_password_reset(f.d(), again->token, kPassword, mfa.backup[0], kOrigin).code() ==
        "mfa_code_invalid");
  // And a TOTP code for now works.
  REQUIRE(identity::complete_password_reset(f.d(), again->token, kPassword,
                                            identity::totp_at(mfa.secret, f.d().now_s()), kOrigin));
  CHECK(load(f, ed).totp_enabled);  // the factor itself is untouched
}

TEST_CASE("wrong codes at reset count towards the address's lockout", "[identity][reset][V6.3.1]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  auto mfa = enrol(f, ed);
  auto made = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
  for (int i = 0; i < f.d().policies.lockout_failures; ++i)
    CHECK(identity::complete_password_reset(f.d(), made->token, kFresh, "000000", kOrigin).code() == "mfa_code_invalid");
  // Locked out from this address: even the right code is refused now.
  CHECK(identity::complete_password_reset(f.d(), made->token, kFresh, identity::totp_at(mfa.secret, f.d().now_s()),
                                          kOrigin)
            .code() == "mfa_code_invalid");
  CHECK(identity::reset_usable(f.d(), made->token));
}

TEST_CASE("reset links follow the admin rules and die with the issuer's right to issue them",
          "[identity][reset][V8.2.1]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto owner2 = add_user(f, "owner2@example.com", Role::kOwner);
  auto admin = add_user(f, "admin@example.com", Role::kAdmin);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  auto viewer = add_user(f, "viewer@example.com", Role::kViewer);
  CHECK(identity::issue_password_reset(f.d(), load(f, admin), owner, kOrigin).status().code() == "owner_only");
  CHECK(identity::issue_password_reset(f.d(), load(f, ed), viewer, kOrigin).status().code() == "forbidden");
  CHECK(identity::issue_password_reset(f.d(), load(f, owner), owner, kOrigin).status().code() == "self_change");
  // An admin cannot take over another admin's account through a reset.
  auto admin_b = add_user(f, "admin-b@example.com", Role::kAdmin);
  CHECK(identity::issue_password_reset(f.d(), load(f, admin), admin_b, kOrigin).status().code() == "forbidden");
  CHECK(count_audit(f, "user.password_reset_link", "denied") == 4);
  CHECK(identity::issue_password_reset(f.d(), load(f, owner), admin_b, kOrigin));
  CHECK(identity::issue_password_reset(f.d(), load(f, owner), owner2, kOrigin));

  auto by_admin = identity::issue_password_reset(f.d(), load(f, admin), ed, kOrigin);
  REQUIRE(by_admin);
  REQUIRE(identity::change_role(f.d(), load(f, owner), admin, Role::kViewer, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), by_admin->token));

  // A link for someone who became an owner since stops working unless an owner issued it.
  auto second_admin = add_user(f, "admin2@example.com", Role::kAdmin);
  auto for_ed = identity::issue_password_reset(f.d(), load(f, second_admin), ed, kOrigin);
  REQUIRE(for_ed);
  REQUIRE(identity::change_role(f.d(), load(f, owner), ed, Role::kOwner, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), for_ed->token));

  // A deactivated user's link does not work.
  auto for_viewer = identity::issue_password_reset(f.d(), load(f, owner), viewer, kOrigin);
  REQUIRE(for_viewer);
  REQUIRE(identity::set_active(f.d(), load(f, owner), viewer, false, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), for_viewer->token));
  CHECK(identity::issue_password_reset(f.d(), load(f, owner), viewer, kOrigin).status().code() == "user_inactive");
}

TEST_CASE("a reset link dies with any change to its user: password, role, MFA reset, sign-out, deactivation",
          "[identity][reset][V6.4.3]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  auto fresh = [&] {
    auto made = identity::issue_password_reset(f.d(), load(f, owner), ed, kOrigin);
    REQUIRE(made);
    REQUIRE(identity::reset_usable(f.d(), made->token));
    return made->token;
  };
  auto t1 = fresh();
  REQUIRE(identity::change_role(f.d(), load(f, owner), ed, Role::kViewer, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), t1));
  auto t2 = fresh();
  REQUIRE(identity::revoke_sessions(f.d(), load(f, owner), ed, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), t2));
  auto mfa = enrol(f, ed);
  auto t3 = fresh();
  REQUIRE(identity::reset_mfa(f.d(), load(f, owner), ed, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), t3));  // it would otherwise work without a code now
  auto t4 = fresh();
  auto own = f.start_session(ed, kOrigin);
  REQUIRE(identity::change_password(f.d(), load(f, ed), own.id, kPassword, kFresh, kOrigin));
  CHECK_FALSE(identity::reset_usable(f.d(), t4));
  (void)mfa;
}

TEST_CASE("the host's reset link works for the last owner and clears their lockout", "[identity][reset][V6.4.3]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  for (int i = 0; i < 6; ++i) CHECK_FALSE(signs_in(f, "owner@example.com", "wrong password, wrong"));
  CHECK_FALSE(signs_in(f, "owner@example.com", kPassword));  // locked out from this address
  CHECK(identity::issue_reset_on_host(f.d(), "nobody@example.com").status().code() == "user_not_found");
  auto made = identity::issue_reset_on_host(f.d(), "Owner@Example.com");
  REQUIRE(made);
  CHECK(made->email == "owner@example.com");
  REQUIRE(identity::complete_password_reset(f.d(), made->token, kFresh, "", kOrigin));
  CHECK(signs_in(f, "owner@example.com", kFresh));
  (void)owner;
}

TEST_CASE("an admin signs out one user, or everyone they manage, without deactivating anyone",
          "[identity][sessions][V7.4.5]") {
  IdentityFixture f;
  auto owner = add_user(f, "owner@example.com", Role::kOwner);
  auto admin = add_user(f, "admin@example.com", Role::kAdmin);
  auto ed = add_user(f, "ed@example.com", Role::kEditor);
  identity::NewSession admin_now;
  REQUIRE(f.db->write([&](store::Tx& tx) {
    for (auto u : {owner, admin, ed, ed}) identity::start_session(f.d(), tx, u, true, kOrigin);
    admin_now = identity::start_session(f.d(), tx, admin, true, kOrigin);
    store::access_tokens::insert(tx, ed, "ed-token-public", std::string(32, 'h'), "t", "read", f.d().now_s(), std::nullopt);
    return core::Status::ok();
  }));
  REQUIRE(identity::revoke_sessions(f.d(), load(f, admin), ed, kOrigin));
  CHECK(open_sessions(f, ed) == 0);
  CHECK(load(f, ed).active);
  REQUIRE(f.db->view([&](store::Tx& tx) {
    CHECK(store::access_tokens::list_live_for_user(tx, ed).empty());
    return core::Status::ok();
  }));
  CHECK(count_audit(f, "user.sessions_revoke", "success") == 1);
  CHECK(identity::revoke_sessions(f.d(), load(f, admin), owner, kOrigin).code() == "owner_only");
  CHECK(identity::revoke_sessions(f.d(), load(f, admin), admin, kOrigin).code() == "self_change");
  CHECK(identity::revoke_sessions(f.d(), load(f, ed), admin, kOrigin).code() == "forbidden");

  // An admin's "everyone" spares owners and the admin's current session.
  f.start_session(ed, kOrigin);
  auto ended = identity::revoke_all_sessions(f.d(), load(f, admin), admin_now.id, kOrigin);
  REQUIRE(ended);
  CHECK(*ended == 2);  // the editor's new one and the admin's other one
  CHECK(open_sessions(f, owner) == 1);
  CHECK(open_sessions(f, admin) == 1);
  CHECK(open_sessions(f, ed) == 0);
  // An owner's reaches owners too.
  auto all = identity::revoke_all_sessions(f.d(), load(f, owner), core::SessionId(0), kOrigin);
  REQUIRE(all);
  CHECK(*all == 2);
  CHECK(open_sessions(f, owner) + open_sessions(f, admin) == 0);
  CHECK(identity::revoke_all_sessions(f.d(), load(f, ed), core::SessionId(0), kOrigin).status().code() == "forbidden");
  CHECK(count_audit(f, "sessions.revoke_all", "success") == 2);
  CHECK(count_audit(f, "sessions.revoke_all", "denied") == 1);
}
