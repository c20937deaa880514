#include "identity/setup.h"

#include <catch2/catch_test_macros.hpp>
#include <thread>

#include "store/users_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using testing::IdentityFixture;

namespace {
const identity::Origin kOrigin{"192.0.2.1", "test-agent", "req-1"};
const char* kPassword = "a long enough passphrase";

std::int64_t users(IdentityFixture& f) {
  std::int64_t n = -1;
  REQUIRE(f.db->view([&](store::Tx& tx) {
    n = store::users::count_all(tx);
    return core::Status::ok();
  }));
  return n;
}
}  // namespace

TEST_CASE("a setup token creates exactly one owner and then stops working", "[identity][setup]") {
  IdentityFixture f;
  auto token = identity::issue_setup_token(f.d());
  REQUIRE(token);
  REQUIRE(token->has_value());
  CHECK((*token)->size() == 43);  // 256 bits, base64url
  CHECK(identity::setup_token_usable(f.d(), **token));
  auto owner = identity::complete_setup(f.d(), **token, "Owner@Example.COM ", kPassword, kOrigin);
  REQUIRE(owner);
  CHECK_FALSE(identity::setup_token_usable(f.d(), **token));
  auto again = identity::complete_setup(f.d(), **token, "other@example.com", kPassword, kOrigin);
  CHECK(again.status().code() == "setup_token_invalid");
  CHECK(users(f) == 1);
  // Once a user exists there is no new setup link.
  auto none = identity::issue_setup_token(f.d());
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
}

TEST_CASE("a setup token is refused without the exact token and after an hour", "[identity][setup][V6.4.1]") {
  IdentityFixture f;
  auto token = identity::issue_setup_token(f.d());
  REQUIRE(token);
  std::string t = **token;
  std::string wrong = t;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  CHECK_FALSE(identity::setup_token_usable(f.d(), wrong));
  CHECK_FALSE(identity::setup_token_usable(f.d(), ""));
  f.clock.advance(std::chrono::seconds(3599));
  CHECK(identity::setup_token_usable(f.d(), t));
  f.clock.advance(std::chrono::seconds(1));
  CHECK_FALSE(identity::setup_token_usable(f.d(), t));
  CHECK(identity::complete_setup(f.d(), t, "o@example.com", kPassword, kOrigin).status().code() == "setup_token_invalid");
}

TEST_CASE("a newer setup link voids the older one", "[identity][setup]") {
  IdentityFixture f;
  auto first = identity::issue_setup_token(f.d());
  auto second = identity::issue_setup_token(f.d());
  REQUIRE(first);
  REQUIRE(second);
  CHECK_FALSE(identity::setup_token_usable(f.d(), **first));
  CHECK(identity::setup_token_usable(f.d(), **second));
}

TEST_CASE("two concurrent setup submissions produce exactly one owner", "[identity][setup]") {
  IdentityFixture f;
  auto token = identity::issue_setup_token(f.d());
  REQUIRE(token);
  std::string t = **token;
  std::vector<core::Status> results(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = identity::complete_setup(f.d(), t, "owner" + std::to_string(i) + "@example.com", kPassword, kOrigin);
      results[i] = r.status();
    });
  }
  for (auto& th : threads) th.join();
  int ok = 0;
  for (const auto& s : results) ok += s.is_ok() ? 1 : 0;
  CHECK(ok == 1);
  CHECK(users(f) == 1);
}

TEST_CASE("setup refuses a weak password and a malformed e-mail without using the token", "[identity][setup]") {
  IdentityFixture f;
  auto token = identity::issue_setup_token(f.d());
  REQUIRE(token);
  CHECK(identity::complete_setup(f.d(), **token, "o@example.com", "short", kOrigin).status().code() ==
        "password_too_short");
  CHECK(identity::complete_setup(f.d(), **token, "not-an-email", kPassword, kOrigin).status().code() == "email_invalid");
  CHECK(identity::setup_token_usable(f.d(), **token));
}

TEST_CASE("create-owner refuses when an owner exists", "[identity][setup]") {
  IdentityFixture f;
  REQUIRE(identity::create_owner(f.d(), "first@example.com", kPassword));
  CHECK(identity::create_owner(f.d(), "second@example.com", kPassword).status().code() == "owner_exists");
  CHECK(users(f) == 1);
}
