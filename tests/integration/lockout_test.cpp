// Lockout through the real binary (ASVS V6.1.1): failures from other addresses lock those
// addresses out and slow the account down, but the owner at their own address still signs in,
// answered after the account's delay (a timer in the listener, no thread held); and
// `airlock user unlock` on the host ends it all at once.
#include <catch2/catch_test_macros.hpp>
#include <thread>

#include "support/console_client.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

HttpReply login_from(Airlock& a, const std::string& ip, const std::string& password) {
  std::string body = "email=owner%40example.com&password=" + airlock::http::url_encode(password);
  return https_request(a.port(), "POST", "/login",
                       {{"Content-Type", "application/x-www-form-urlencoded"},
                        {"Origin", "https://127.0.0.1:" + std::to_string(a.port())},
                        {"X-Forwarded-For", ip}},
                       body);
}

}  // namespace

TEST_CASE("failures from other addresses cannot keep the owner out; the host can always unlock",
          "[integration][lockout][V6.1.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_TRUSTED_PROXIES", "127.0.0.1/32"},
                                       {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"},
                                       {"AIRLOCK_ARGON2_MEMORY_KIB", "19456"}});
  owner_browser(*a);
  // An attacker who knows the owner's e-mail: five wrong passwords from 203.0.113.9, then the right
  // one from there too (a lucky guess, or a stolen password) is refused like any failure.
  for (int i = 0; i < 5; ++i) CHECK(login_from(*a, "203.0.113.9", "wrong password number x").status == 401);
  CHECK(login_from(*a, "203.0.113.9", kConsolePassword).status == 401);
  // One more failure from elsewhere: 6 in the window, one past the threshold: the delay is 2 s.
  CHECK(login_from(*a, "198.51.100.4", "wrong password number y").status == 401);
  // The owner at their own address gets in, answered after the delay; meanwhile the server answers
  // everyone else at once (the wait is a timer in the listener, not a thread).
  HttpReply ok;
  std::chrono::steady_clock::duration took{};
  std::thread owner([&] {
    auto t0 = std::chrono::steady_clock::now();
    ok = login_from(*a, "192.0.2.10", kConsolePassword);
    took = std::chrono::steady_clock::now() - t0;
  });
  std::this_thread::sleep_for(300ms);  // the owner's request is in, its answer pending
  auto h0 = std::chrono::steady_clock::now();
  CHECK(https_request(a->port(), "GET", "/healthz").status == 200);
  CHECK(std::chrono::steady_clock::now() - h0 < 1s);
  owner.join();
  CHECK(ok.status == 303);
  CHECK(ok.headers.at("set-cookie").rfind("__Host-airlock_session=", 0) == 0);
  CHECK(took >= 1900ms);
  CHECK(took < 6s);
  // On the host: unlock clears the address lockout and the delay.
  auto r = run_program({airlock_bin(), "user", "unlock", "--email=owner@example.com"}, {{"AIRLOCK_DATA_DIR", dir.path()}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto t1 = std::chrono::steady_clock::now();
  CHECK(login_from(*a, "203.0.113.9", kConsolePassword).status == 303);
  CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::seconds(2));
}
