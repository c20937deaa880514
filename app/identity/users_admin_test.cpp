#include "identity/users_admin.h"

#include <SQLiteCpp/Statement.h>

#include <catch2/catch_test_macros.hpp>
#include <thread>

#include "audit/denials.h"
#include "identity/login.h"
#include "identity/sessions.h"
#include "store/access_tokens_repo.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;
using identity::Role;
using testing::IdentityFixture;

namespace {

const identity::Origin kOrigin{"192.0.2.7", "admin-agent", "req-users"};
const char* kPassword = "a long enough passphrase";

store::UserRow make_user(IdentityFixture& f, const std::string& email, Role role) { return f.add_user(email, role, kPassword); }
store::UserRow reload(IdentityFixture& f, core::UserId id) { return f.user(id); }

std::size_t open_sessions(IdentityFixture& f, core::UserId id) {
  std::size_t n = 0;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    n = store::sessions::list_open_for_user(tx, id).size();
    return core::Status::ok();
  }));
  return n;
}

void start_sessions(IdentityFixture& f, core::UserId id, int n) {
  for (int i = 0; i < n; ++i) f.start_session(id, kOrigin);
}

std::int64_t scalar(IdentityFixture& f, const std::string& sql) {
  std::int64_t v = -1;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), sql);
    q.executeStep();
    v = q.getColumn(0).getInt64();
    return core::Status::ok();
  }));
  return v;
}

std::string all_audit_text(IdentityFixture& f) {
  std::string out;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT action || ' ' || outcome || ' ' || coalesce(target, '') || ' ' || details "
                                 "FROM audit_events ORDER BY id");
    while (q.executeStep()) out += q.getColumn(0).getString() + "\n";
    return core::Status::ok();
  }));
  return out;
}

}  // namespace

TEST_CASE("an invite creates the invited user with the invite's e-mail and role, once", "[identity][users][V6.4.1]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto invite = identity::invite_user(f.d(), owner, " New.Editor@Example.com", Role::kEditor, kOrigin);
  REQUIRE(invite);
  CHECK(invite->token.size() == 43);  // 256 bits, base64url
  CHECK(invite->email == "new.editor@example.com");
  CHECK(invite->expires_at == f.d().now_s() + 72 * 3600);
  auto info = identity::invite_usable(f.d(), invite->token);
  REQUIRE(info);
  CHECK(info->email == "new.editor@example.com");
  CHECK(info->role == Role::kEditor);

  auto id = identity::accept_invite(f.d(), invite->token, kPassword, kOrigin);
  REQUIRE(id);
  auto user = reload(f, *id);
  CHECK(user.email == "new.editor@example.com");
  CHECK(user.role == Role::kEditor);
  CHECK(user.active);
  CHECK(identity::login_with_password(f.d(), "new.editor@example.com", kPassword, kOrigin));

  CHECK_FALSE(identity::invite_usable(f.d(), invite->token));
  CHECK(identity::accept_invite(f.d(), invite->token, kPassword, kOrigin).status().code() == "invite_invalid");
  // Only the hash is stored, and neither the token nor the password reaches the audit trail.
  CHECK(scalar(f, "SELECT count(*) FROM one_time_tokens WHERE kind = 'invite' AND length(token_hash) = 32") == 1);
  auto audit = all_audit_text(f);
  CHECK(audit.find("user.invite success invite:") != std::string::npos);
  CHECK(audit.find("user.invite_accepted success user:" + id->str()) != std::string::npos);
  CHECK(audit.find(invite->token) == std::string::npos);
  CHECK(audit.find(kPassword) == std::string::npos);
}

TEST_CASE("an invite works for 72 hours and not a second longer", "[identity][users][V6.4.1]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto invite = identity::invite_user(f.d(), owner, "late@example.com", Role::kViewer, kOrigin);
  REQUIRE(invite);
  f.clock.advance(72h - 1s);
  CHECK(identity::invite_usable(f.d(), invite->token));
  f.clock.advance(1s);
  CHECK_FALSE(identity::invite_usable(f.d(), invite->token));
  CHECK(identity::accept_invite(f.d(), invite->token, kPassword, kOrigin).status().code() == "invite_invalid");
  CHECK(scalar(f, "SELECT count(*) FROM users") == 1);
}

TEST_CASE("two concurrent acceptances of one invite create exactly one user", "[identity][users]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto invite = identity::invite_user(f.d(), owner, "racer@example.com", Role::kViewer, kOrigin);
  REQUIRE(invite);
  std::vector<core::Status> results(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { results[i] = identity::accept_invite(f.d(), invite->token, kPassword, kOrigin).status(); });
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const auto& s : results) {
    ok += s.is_ok() ? 1 : 0;
    if (!s.is_ok()) CHECK(s.code() == "invite_invalid");
  }
  CHECK(ok == 1);
  CHECK(scalar(f, "SELECT count(*) FROM users WHERE email = 'racer@example.com'") == 1);
}

TEST_CASE("an invite refuses a taken or malformed e-mail; a weak password leaves it usable", "[identity][users]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  CHECK(identity::invite_user(f.d(), owner, "OWNER@example.com", Role::kViewer, kOrigin).status().code() == "email_taken");
  CHECK(identity::invite_user(f.d(), owner, "not an e-mail", Role::kViewer, kOrigin).status().code() == "email_invalid");
  auto invite = identity::invite_user(f.d(), owner, "weak@example.com", Role::kViewer, kOrigin);
  REQUIRE(invite);
  CHECK(identity::accept_invite(f.d(), invite->token, "short", kOrigin).status().code() == "password_too_short");
  CHECK(identity::accept_invite(f.d(), invite->token, "weak-weak-weak-pass", kOrigin).status().code() ==
        "password_contains_email");
  CHECK(identity::invite_usable(f.d(), invite->token));
  std::string wrong = invite->token;
  wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
  CHECK(identity::accept_invite(f.d(), wrong, kPassword, kOrigin).status().code() == "invite_invalid");
  // Two invites for one address: the second acceptance finds the address taken.
  auto twin = identity::invite_user(f.d(), owner, "weak@example.com", Role::kEditor, kOrigin);
  REQUIRE(twin);
  REQUIRE(identity::accept_invite(f.d(), invite->token, kPassword, kOrigin));
  CHECK(identity::accept_invite(f.d(), twin->token, kPassword, kOrigin).status().code() == "email_taken");
}

TEST_CASE("an admin invites admins, editors and viewers but never owners; an owner invites any role",
          "[identity][users][V8.2.1]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto admin = make_user(f, "admin@example.com", Role::kAdmin);
  auto editor = make_user(f, "editor@example.com", Role::kEditor);
  auto viewer = make_user(f, "viewer@example.com", Role::kViewer);
  int n = 0;
  for (Role r : {Role::kAdmin, Role::kEditor, Role::kViewer})
    CHECK(identity::invite_user(f.d(), admin, "a" + std::to_string(++n) + "@example.com", r, kOrigin));
  CHECK(identity::invite_user(f.d(), admin, "o@example.com", Role::kOwner, kOrigin).status().code() == "owner_only");
  CHECK(identity::invite_user(f.d(), owner, "o@example.com", Role::kOwner, kOrigin));
  CHECK(identity::invite_user(f.d(), editor, "e@example.com", Role::kViewer, kOrigin).status().code() == "forbidden");
  CHECK(identity::invite_user(f.d(), viewer, "v@example.com", Role::kViewer, kOrigin).status().code() == "forbidden");
  CHECK(all_audit_text(f).find("user.invite denied email:o@example.com {\"reason\":\"owner_only\"") != std::string::npos);
}

TEST_CASE("an invite stops working when its inviter is deactivated or can no longer grant its role",
          "[identity][users]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto admin = make_user(f, "admin@example.com", Role::kAdmin);
  auto second = make_user(f, "second@example.com", Role::kOwner);
  auto from_admin = identity::invite_user(f.d(), admin, "x@example.com", Role::kEditor, kOrigin);
  auto from_second = identity::invite_user(f.d(), second, "y@example.com", Role::kOwner, kOrigin);
  REQUIRE(from_admin);
  REQUIRE(from_second);
  REQUIRE(identity::set_active(f.d(), owner, admin.id, false, kOrigin));
  REQUIRE(identity::change_role(f.d(), owner, second.id, Role::kAdmin, kOrigin));
  CHECK_FALSE(identity::invite_usable(f.d(), from_admin->token));
  CHECK(identity::accept_invite(f.d(), from_admin->token, kPassword, kOrigin).status().code() == "invite_invalid");
  CHECK(identity::accept_invite(f.d(), from_second->token, kPassword, kOrigin).status().code() == "invite_invalid");
}

TEST_CASE("an admin cannot touch an owner or grant ownership; an owner can", "[identity][users][V8.2.1]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto other_owner = make_user(f, "owner2@example.com", Role::kOwner);
  auto admin = make_user(f, "admin@example.com", Role::kAdmin);
  auto editor = make_user(f, "editor@example.com", Role::kEditor);

  CHECK(identity::change_role(f.d(), admin, owner.id, Role::kViewer, kOrigin).code() == "owner_only");
  CHECK(identity::set_active(f.d(), admin, owner.id, false, kOrigin).code() == "owner_only");
  CHECK(identity::reset_mfa(f.d(), admin, owner.id, kOrigin).code() == "owner_only");
  CHECK(identity::unlock(f.d(), admin, owner.id, kOrigin).code() == "owner_only");
  CHECK(identity::change_role(f.d(), admin, editor.id, Role::kOwner, kOrigin).code() == "owner_only");
  CHECK(reload(f, owner.id).role == Role::kOwner);
  CHECK(reload(f, editor.id).role == Role::kEditor);

  // Below owner an admin has a free hand, other admins included.
  CHECK(identity::change_role(f.d(), admin, editor.id, Role::kAdmin, kOrigin));
  CHECK(identity::set_active(f.d(), admin, editor.id, false, kOrigin));
  CHECK(identity::set_active(f.d(), admin, editor.id, true, kOrigin));

  CHECK(identity::change_role(f.d(), owner, editor.id, Role::kOwner, kOrigin));
  CHECK(identity::change_role(f.d(), owner, other_owner.id, Role::kEditor, kOrigin));
  CHECK(reload(f, editor.id).role == Role::kOwner);
  CHECK(reload(f, other_owner.id).role == Role::kEditor);
  CHECK(identity::change_role(f.d(), owner, core::UserId(9999), Role::kViewer, kOrigin).code() == "user_not_found");

  auto audit = all_audit_text(f);
  CHECK(audit.find("user.role_change denied user:" + owner.id.str() + " {\"reason\":\"owner_only\"") !=
        std::string::npos);
  CHECK(audit.find("\"before\":{\"role\":\"owner\"}") != std::string::npos);
  CHECK(audit.find("\"after\":{\"role\":\"editor\"}") != std::string::npos);
}

TEST_CASE("editors and viewers cannot administer users, nor can a user deactivated since the request began",
          "[identity][users][V8.2.1]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto admin = make_user(f, "admin@example.com", Role::kAdmin);
  auto target = make_user(f, "target@example.com", Role::kViewer);
  for (Role r : {Role::kEditor, Role::kViewer}) {
    auto who = make_user(f, std::string(identity::role_name(r)) + "@example.com", r);
    CHECK(identity::change_role(f.d(), who, target.id, Role::kEditor, kOrigin).code() == "forbidden");
    CHECK(identity::set_active(f.d(), who, target.id, false, kOrigin).code() == "forbidden");
    CHECK(identity::reset_mfa(f.d(), who, target.id, kOrigin).code() == "forbidden");
    CHECK(identity::unlock(f.d(), who, target.id, kOrigin).code() == "forbidden");
  }
  // `admin` still says admin, but the stored row no longer does.
  REQUIRE(identity::change_role(f.d(), owner, admin.id, Role::kViewer, kOrigin));
  CHECK(identity::set_active(f.d(), admin, target.id, false, kOrigin).code() == "forbidden");
  CHECK(reload(f, target.id).active);
}

TEST_CASE("nobody changes their own role, deactivates themselves or resets their own MFA here", "[identity][users]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  make_user(f, "owner2@example.com", Role::kOwner);
  auto admin = make_user(f, "admin@example.com", Role::kAdmin);
  CHECK(identity::change_role(f.d(), owner, owner.id, Role::kAdmin, kOrigin).code() == "self_change");
  CHECK(identity::set_active(f.d(), owner, owner.id, false, kOrigin).code() == "self_change");
  CHECK(identity::reset_mfa(f.d(), owner, owner.id, kOrigin).code() == "self_change");
  CHECK(identity::change_role(f.d(), admin, admin.id, Role::kViewer, kOrigin).code() == "self_change");
  CHECK(identity::set_active(f.d(), admin, admin.id, false, kOrigin).code() == "self_change");
  CHECK(reload(f, owner.id).role == Role::kOwner);
  CHECK(reload(f, admin.id).active);
  CHECK(scalar(f, "SELECT count(*) FROM audit_events WHERE outcome = 'denied' AND details LIKE '%self_change%'") == 5);
}

TEST_CASE("the last active owner can be neither demoted nor deactivated", "[identity][users]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto former = make_user(f, "former@example.com", Role::kOwner);
  REQUIRE(identity::set_active(f.d(), owner, former.id, false, kOrigin));  // an inactive owner does not count
  auto demote = identity::change_role(f.d(), owner, owner.id, Role::kAdmin, kOrigin);
  CHECK(demote.code() == "last_owner");
  CHECK(demote.message() == "This is the last owner. Make another user owner first.");
  CHECK(identity::set_active(f.d(), owner, owner.id, false, kOrigin).code() == "last_owner");
  CHECK(reload(f, owner.id).role == Role::kOwner);
  CHECK(reload(f, owner.id).active);
  // The inactive owner may be demoted: that removes no active owner.
  CHECK(identity::change_role(f.d(), owner, former.id, Role::kViewer, kOrigin));
}

TEST_CASE("two owners deactivating each other at once leave one active owner", "[identity][users]") {
  IdentityFixture f;
  for (int round = 0; round < 5; ++round) {
    auto a = make_user(f, "a" + std::to_string(round) + "@example.com", Role::kOwner);
    auto b = make_user(f, "b" + std::to_string(round) + "@example.com", Role::kOwner);
    core::Status ra, rb;
    std::thread ta([&] { ra = identity::set_active(f.d(), a, b.id, false, kOrigin); });
    std::thread tb([&] { rb = identity::set_active(f.d(), b, a.id, false, kOrigin); });
    ta.join();
    tb.join();
    CHECK(ra.is_ok() != rb.is_ok());  // the loser finds itself deactivated: "forbidden"
    CHECK(reload(f, a.id).active != reload(f, b.id).active);
    // Leave exactly one owner standing for the next round's arithmetic to stay honest.
    auto survivor = reload(f, a.id).active ? a : b;
    REQUIRE(f.db->write([&](store::Tx& tx) {
      store::users::set_role(tx, survivor.id, Role::kViewer, f.d().now_s());
      return core::Status::ok();
    }));
  }
}

TEST_CASE("role change, deactivation and MFA reset end every session and token of the target; unlock does not",
          "[identity][users][V7.4.2]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto user = make_user(f, "user@example.com", Role::kEditor);
  auto bystander = make_user(f, "bystander@example.com", Role::kEditor);
  start_sessions(f, bystander.id, 1);

  start_sessions(f, user.id, 3);
  REQUIRE(identity::change_role(f.d(), owner, user.id, Role::kViewer, kOrigin));
  CHECK(open_sessions(f, user.id) == 0);
  start_sessions(f, user.id, 2);
  REQUIRE(identity::reset_mfa(f.d(), owner, user.id, kOrigin));
  CHECK(open_sessions(f, user.id) == 0);
  start_sessions(f, user.id, 2);
  REQUIRE(identity::unlock(f.d(), owner, user.id, kOrigin));
  CHECK(open_sessions(f, user.id) == 2);
  REQUIRE(f.db->write([&](store::Tx& tx) {
    store::access_tokens::insert(tx, user.id, "pub1", std::string(32, 'h'), "ci", "read", f.d().now_s(), std::nullopt);
    return core::Status::ok();
  }));
  REQUIRE(identity::set_active(f.d(), owner, user.id, false, kOrigin));
  CHECK(open_sessions(f, user.id) == 0);
  CHECK(open_sessions(f, bystander.id) == 1);
  CHECK(scalar(f, "SELECT count(*) FROM access_tokens WHERE revoked_at IS NULL") == 0);
  CHECK(scalar(f, "SELECT count(*) FROM sessions WHERE end_reason = 'user_deactivated'") == 2);
  // Setting what is already so changes nothing and records nothing.
  auto events = scalar(f, "SELECT count(*) FROM audit_events");
  REQUIRE(identity::set_active(f.d(), owner, user.id, false, kOrigin));
  REQUIRE(identity::change_role(f.d(), owner, user.id, Role::kViewer, kOrigin));
  CHECK(scalar(f, "SELECT count(*) FROM audit_events") == events);
}

TEST_CASE("MFA reset clears the secret, the enabled flag, the last step and the backup codes", "[identity][users]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto user = make_user(f, "user@example.com", Role::kEditor);
  REQUIRE(f.db->write([&](store::Tx& tx) {
    store::users::set_totp(tx, user.id, std::string("sealed-secret"), true, f.d().now_s());
    REQUIRE(store::users::advance_totp_step(tx, user.id, 1234));
    for (int i = 0; i < 3; ++i) {
      SQLite::Statement q(tx.db(), "INSERT INTO backup_codes (user_id, code_hash) VALUES (?, 'h')");
      q.bind(1, user.id.value);
      q.exec();
    }
    return core::Status::ok();
  }));
  REQUIRE(identity::reset_mfa(f.d(), owner, user.id, kOrigin));
  auto after = reload(f, user.id);
  CHECK_FALSE(after.totp_secret);
  CHECK_FALSE(after.totp_enabled);
  CHECK(after.totp_last_step == 0);
  CHECK(scalar(f, "SELECT count(*) FROM backup_codes WHERE user_id = " + user.id.str()) == 0);
  auto audit = all_audit_text(f);
  CHECK(audit.find("\"before\":{\"mfa\":true}") != std::string::npos);
  CHECK(audit.find("sealed-secret") == std::string::npos);
}

TEST_CASE("unlock ends a lockout and forgets the recent failures", "[identity][users][V6.3.1]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  make_user(f, "user@example.com", Role::kViewer);
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(identity::login_with_password(f.d(), "user@example.com", "wrong password here", kOrigin));
  CHECK_FALSE(identity::login_with_password(f.d(), "user@example.com", kPassword, kOrigin));  // locked
  auto users = identity::list_users(f.d()).value();
  REQUIRE(users.size() == 2);
  CHECK(users[1].locked);
  REQUIRE(identity::unlock(f.d(), owner, users[1].id, kOrigin));
  CHECK_FALSE(identity::list_users(f.d()).value()[1].locked);
  // One more mistake right after does not lock again: the old failures are gone.
  CHECK_FALSE(identity::login_with_password(f.d(), "user@example.com", "wrong password here", kOrigin));
  CHECK(identity::login_with_password(f.d(), "user@example.com", kPassword, kOrigin));
  CHECK(all_audit_text(f).find("user.unlock success user:" + users[1].id.str()) != std::string::npos);
}

TEST_CASE("refused admin actions share the denial budget: 10 denied events a minute per actor, then a count",
          "[identity][users][V16.3.2]") {
  IdentityFixture f;
  auto owner = make_user(f, "owner@example.com", Role::kOwner);
  auto admin = make_user(f, "admin@example.com", Role::kAdmin);
  std::vector<audit::Event> summaries;
  audit::DenialRecorder recorder([&](audit::Event e, std::string) { summaries.push_back(std::move(e)); }, f.clock);
  f.d().denials = &recorder;
  for (int i = 0; i < 30; ++i)
    CHECK(identity::change_role(f.d(), admin, owner.id, Role::kViewer, kOrigin).code() == "owner_only");
  auto denied = [&] {
    int n = 0;
    REQUIRE(f.db->view([&](store::Tx& tx) {
      SQLite::Statement q(tx.db(), "SELECT count(*) FROM audit_events WHERE action = 'user.role_change' AND outcome = 'denied'");
      q.executeStep();
      n = q.getColumn(0).getInt();
      return core::Status::ok();
    }));
    return n;
  };
  CHECK(denied() == 10);
  CHECK(summaries.empty());
  // The next window: the count of the 20 left out arrives with the next refusal, which is written.
  f.clock.advance(60s);
  CHECK(identity::change_role(f.d(), admin, owner.id, Role::kViewer, kOrigin).code() == "owner_only");
  CHECK(denied() == 11);
  REQUIRE(summaries.size() == 1);
  CHECK(summaries[0].action == "authz.denied_suppressed");
  CHECK(summaries[0].details_json.find("\"suppressed\":20") != std::string::npos);
}
