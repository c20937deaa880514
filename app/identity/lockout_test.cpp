#include "identity/lockout.h"

#include <catch2/catch_test_macros.hpp>

#include "identity/login.h"
#include "identity/setup.h"
#include "support/identity_fixture.h"

using namespace airlock;
using namespace std::chrono_literals;
using testing::IdentityFixture;

namespace {
const identity::Origin kOwnerAt{"192.0.2.1", "owner-agent", "req-1"};
const char* kPassword = "a long enough passphrase";

core::UserId make_owner(IdentityFixture& f) {
  auto id = identity::create_owner(f.d(), "owner@example.com", kPassword);
  REQUIRE(id);
  return *id;
}

identity::Origin from(int i) {
  return {"10." + std::to_string(i / 65536 % 256) + "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256),
          "attacker", "req-x"};
}

// Failures as the login path records them, without paying argon2id a thousand times.
void fail_from_many(IdentityFixture& f, core::UserId user, int n, int per_address) {
  REQUIRE(f.db->write([&](store::Tx& tx) {
    auto subject = identity::subject_of("owner@example.com");
    for (int i = 0; i < n; ++i) identity::record_auth_failure(f.d(), tx, user, subject, "password", from(i / per_address));
    return core::Status::ok();
  }));
}

}  // namespace

TEST_CASE("a thousand failures from other addresses cannot keep the owner out: they wait at most the cap",
          "[identity][lockout][V6.1.1]") {
  IdentityFixture f;
  auto owner = make_owner(f);
  fail_from_many(f, owner, 1000, 4);  // 250 addresses, each one failure short of its lockout
  std::chrono::milliseconds delay{0};
  auto ok = identity::login_with_password(f.d(), "owner@example.com", kPassword, kOwnerAt, &delay);
  REQUIRE(ok);
  CHECK(delay == identity::kMaxLoginDelay);
  // The same flood from one address locks only that address out.
  IdentityFixture g;
  auto owner2 = make_owner(g);
  fail_from_many(g, owner2, 1000, 1000);
  CHECK_FALSE(identity::login_with_password(g.d(), "owner@example.com", kPassword, from(0)));
  REQUIRE(identity::login_with_password(g.d(), "owner@example.com", kPassword, kOwnerAt, &delay));
  CHECK(delay == identity::kMaxLoginDelay);
}

TEST_CASE("five failures lock that address out of the account for the window; other addresses go on",
          "[identity][lockout][V6.1.1][V6.3.1]") {
  IdentityFixture f;
  make_owner(f);
  for (int i = 0; i < 5; ++i) CHECK_FALSE(identity::login_with_password(f.d(), "owner@example.com", "bad-password-x", from(7)));
  auto locked = identity::login_with_password(f.d(), "owner@example.com", kPassword, from(7));
  REQUIRE_FALSE(locked);
  CHECK(locked.status().message() == "Invalid e-mail or password.");  // nothing says "locked"
  std::chrono::milliseconds delay{0};
  REQUIRE(identity::login_with_password(f.d(), "owner@example.com", kPassword, kOwnerAt, &delay));
  CHECK(delay == 1s);  // the account's delay started at the fifth failure
  f.clock.advance(15min - 1s);
  CHECK_FALSE(identity::login_with_password(f.d(), "owner@example.com", kPassword, from(7)));
  f.clock.advance(1s);
  REQUIRE(identity::login_with_password(f.d(), "owner@example.com", kPassword, from(7), &delay));
  CHECK(delay == 0ms);
}

TEST_CASE("the account's delay doubles per failure beyond the threshold, up to 30 s, and ends with the window",
          "[identity][lockout][V6.1.1]") {
  IdentityFixture f;
  auto owner = make_owner(f);
  std::chrono::milliseconds delay{0};
  const std::vector<std::chrono::milliseconds> expected = {0ms, 0ms, 0ms, 0ms, 0ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s};
  for (std::size_t n = 0; n < expected.size(); ++n) {
    INFO(n << " failures");
    REQUIRE(f.db->view([&](store::Tx& tx) {
      delay = identity::throttle_for(f.d(), tx, identity::subject_of("owner@example.com"), kOwnerAt.ip).delay;
      return core::Status::ok();
    }));
    CHECK(delay == expected[n]);
    fail_from_many(f, owner, 1, 1);
  }
  f.clock.advance(15min);
  REQUIRE(identity::login_with_password(f.d(), "owner@example.com", kPassword, kOwnerAt, &delay));
  CHECK(delay == 0ms);
}

TEST_CASE("clearing the lockout ends both: every address's and the account's delay", "[identity][lockout][V6.1.1]") {
  IdentityFixture f;
  auto owner = make_owner(f);
  fail_from_many(f, owner, 20, 5);
  CHECK_FALSE(identity::login_with_password(f.d(), "owner@example.com", kPassword, from(0)));
  REQUIRE(f.db->write([&](store::Tx& tx) {
    CHECK(identity::clear_lockout(f.d(), tx, owner, "owner@example.com") == 20);
    return core::Status::ok();
  }));
  std::chrono::milliseconds delay{1};
  REQUIRE(identity::login_with_password(f.d(), "owner@example.com", kPassword, from(0), &delay));
  CHECK(delay == 0ms);
}

TEST_CASE("an e-mail with no account is locked out and slowed down exactly like the owner's",
          "[identity][lockout][V6.1.1][V6.3.8]") {
  IdentityFixture f;
  make_owner(f);
  auto run = [&](const std::string& email) {
    std::vector<std::pair<bool, std::chrono::milliseconds>> seen;
    for (int i = 0; i < 7; ++i) {
      std::chrono::milliseconds delay{0};
      auto r = identity::login_with_password(f.d(), email, "bad-password-x", from(3), &delay);
      seen.emplace_back(static_cast<bool>(r), delay);
    }
    std::chrono::milliseconds delay{0};
    auto right = identity::login_with_password(f.d(), email, kPassword, from(3), &delay);
    seen.emplace_back(static_cast<bool>(right), delay);
    return seen;
  };
  auto known = run("OWNER@example.com");
  auto unknown = run("nobody@example.com");
  CHECK(known == unknown);  // same refusals, same delays, in the same order
  CHECK(known.back().second == 1s);
  CHECK_FALSE(known.back().first);  // the right password from a locked-out address: refused too
}

TEST_CASE("an IPv6 /64 is one address for the lockout: rotating within it does not buy more guesses",
          "[identity][lockout][V6.1.1][V6.3.1]") {
  IdentityFixture f;
  make_owner(f);
  auto in_64 = [](int i) { return identity::Origin{"2001:db8:7:7::" + std::to_string(i + 1), "attacker", "req-6"}; };
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(identity::login_with_password(f.d(), "owner@example.com", "bad-password-x", in_64(i)));
  // The right password from a sixth address of the same /64 is refused like a wrong one.
  auto locked = identity::login_with_password(f.d(), "owner@example.com", kPassword, in_64(100));
  REQUIRE_FALSE(locked);
  CHECK(locked.status().message() == "Invalid e-mail or password.");
  // The next /64 is another client.
  REQUIRE(identity::login_with_password(f.d(), "owner@example.com", kPassword,
                                        identity::Origin{"2001:db8:7:8::1", "owner-agent", "req-7"}));
}
