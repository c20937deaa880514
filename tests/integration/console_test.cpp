// The console's sign-in flows on the real binary over real TLS: setup link, owner, login, MFA,
// CSRF, session cookie, and that login failures cannot tell unknown users from wrong passwords.
#include <algorithm>
#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <regex>

#include "identity/totp.h"
#include "support/console_client.h"
#include "support/harness.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {
constexpr const char* kPassword = kConsolePassword;
}  // namespace

TEST_CASE("the setup page needs the printed one-time link and works once", "[integration][console][V6.4.1][V14.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_SETUP_RATE_LIMIT", "100"}});
  Browser b{a->port(), "https://127.0.0.1:" + std::to_string(a->port()), ""};
  auto link = setup_link(*a);
  auto token = link.substr(link.find('=') + 1);
  // The secret is on the operator's terminal only, never in the JSON log.
  for (const auto& line : a->log_lines()) CHECK(line.find(token) == std::string::npos);

  CHECK(b.get("/setup").status == 404);
  CHECK(b.get("/setup?token=" + std::string(43, 'A')).status == 404);
  // V14.2.1: the first request moves the token out of the URL into a cookie for this host alone,
  // and redirects to the bare path; neither the page nor its form carries the token.
  auto opened = b.get(link);
  CHECK(opened.status == 303);
  CHECK(opened.headers.at("location") == "/setup");
  const auto& set = opened.headers.at("set-cookie");
  CHECK(set.rfind("__Host-airlock_setup=" + token + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600", 0) == 0);
  auto form = b.get("/setup");
  CHECK(form.status == 200);
  CHECK(form.body.find("Create owner") != std::string::npos);
  CHECK(form.body.find(token) == std::string::npos);
  CHECK(form.headers.at("content-security-policy").find("script-src 'nonce-") != std::string::npos);
  CHECK(form.headers.at("x-frame-options") == "DENY");

  std::map<std::string, std::string> fields{{"email", "owner@example.com"}, {"password", kPassword}, {"password2", kPassword}};
  CHECK(b.post("/setup", fields, "https://evil.example").status == 403);
  // The token in a form field (no cookie) is not accepted any more.
  auto old_way = fields;
  old_way["token"] = token;
  CHECK(browser_for(*a).post("/setup", old_way).status == 404);
  auto weak = fields;
  weak["password"] = weak["password2"] = "short";
  auto refused = b.post("/setup", weak);
  CHECK(refused.status == 422);
  CHECK(refused.body.find("at least 12") != std::string::npos);
  auto made = b.post("/setup", fields);
  CHECK(made.status == 303);
  CHECK(made.headers.at("location") == "/login?created=1");
  CHECK(made.headers.at("set-cookie").find("__Host-airlock_setup=; ") == 0);  // forgotten
  CHECK(b.link_cookies.empty());
  b.link_cookies["__Host-airlock_setup"] = token;
  CHECK(b.post("/setup", fields).status == 404);  // used
  CHECK(b.get(link).status == 404);

  // The owner exists: the host-side command refuses a second one.
  std::ofstream(dir / "pw") << kPassword;
  auto again = run_program({airlock_bin(), "user", "create-owner", "--email", "two@example.com", "--password-file",
                            dir / "pw"},
                           {{"AIRLOCK_DATA_DIR", dir.path()}});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("an owner exists already") != std::string::npos);
}

TEST_CASE("sign in sets a __Host- session cookie; sign out ends it", "[integration][console][V7.2.4][V3.3.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto b = owner_browser(*a);
  CHECK(b.get("/").status == 303);  // not signed in
  auto bad = b.post("/login", {{"email", "owner@example.com"}, {"password", "wrong password here"}});
  CHECK(bad.status == 401);
  CHECK(bad.body.find("Invalid e-mail or password.") != std::string::npos);
  auto ok = b.post("/login", {{"email", "Owner@Example.com"}, {"password", kPassword}});
  REQUIRE(ok.status == 303);
  auto cookie = ok.headers.at("set-cookie");
  CHECK(cookie.rfind("__Host-airlock_session=", 0) == 0);
  for (const char* attr : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) CHECK(cookie.find(attr) != std::string::npos);
  CHECK(cookie.find("Domain") == std::string::npos);
  // V6.3.3: an owner always needs a second factor; the password alone reaches only its set-up.
  CHECK(ok.headers.at("location") == "/login/mfa");
  CHECK(b.get("/").headers.at("location") == "/login/mfa");
  REQUIRE(finish_mfa(b, "owner@example.com").status == 303);
  cookie = b.cookie;

  auto home = b.get("/");
  REQUIRE(home.status == 200);
  CHECK(home.body.find("owner@example.com") != std::string::npos);
  CHECK(home.headers.at("cache-control") == "no-store");
  auto csrf = field(home.body, "csrf");
  REQUIRE(csrf.size() == 43);

  CHECK(b.post("/logout", {}).status == 403);                                        // no token
  CHECK(b.post("/logout", {{"csrf", csrf}}, "https://evil.example").status == 403);  // cross-origin
  auto out = b.post("/logout", {{"csrf", csrf}});
  CHECK(out.status == 303);
  CHECK(out.headers.at("clear-site-data") == "\"cache\", \"cookies\", \"storage\"");
  // The old cookie value is dead server-side, not only forgotten by the browser.
  Browser replay{b.port, b.origin, cookie.substr(0, cookie.find(';'))};
  CHECK(replay.get("/").status == 303);
}

TEST_CASE("an owner must set up TOTP at first sign-in; then the password alone reaches only the MFA step, and codes "
          "never work twice",
          "[integration][console][V6.5.1][V7.2.4][V6.3.3]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto b = owner_browser(*a);
  auto first = b.post("/login", {{"email", "owner@example.com"}, {"password", kPassword}});
  REQUIRE(first.status == 303);
  CHECK(first.headers.at("location") == "/login/mfa");
  CHECK(b.get("/").headers.at("location") == "/login/mfa");  // nothing else is reachable
  CHECK(b.get("/account/mfa").headers.at("location") == "/login/mfa");
  auto enrol = b.get("/login/mfa");
  REQUIRE(enrol.status == 200);
  CHECK(enrol.body.find("<svg") != std::string::npos);
  auto enrol_csrf = field(enrol.body, "csrf");
  CHECK(b.post("/login/mfa/enrol", {{"csrf", enrol_csrf}, {"code", wrong_code_for(totp_secret_in(enrol.body))}})
            .status == 422);
  auto totp = confirm_enrolment(b, enrol.body, "/login/mfa/enrol", enrol_csrf);
  CHECK(b.get("/").status == 200);
  auto& backup = totp.backup;
  // The enrolment's own code, not now_code(): a 30 s step may have begun since, and a fresh code
  // would rightly pass.
  auto code = totp.enrolment_code;

  auto out_csrf = field(b.get("/").body, "csrf");
  REQUIRE(b.post("/logout", {{"csrf", out_csrf}}).status == 303);
  auto pw = b.post("/login", {{"email", "owner@example.com"}, {"password", kPassword}});
  REQUIRE(pw.status == 303);
  CHECK(pw.headers.at("location") == "/login/mfa");
  std::string pending_cookie = b.cookie;
  CHECK(b.get("/").headers.at("location") == "/login/mfa");
  auto step = b.get("/login/mfa");
  CHECK(step.body.find("totp-secret") == std::string::npos);  // a challenge now, not enrolment
  auto step_csrf = field(step.body, "csrf");
  CHECK(b.post("/login/mfa", {{"csrf", step_csrf}, {"code", code}}).status == 401);  // replay of the enrolment code
  CHECK(b.post("/login/mfa", {{"csrf", step_csrf}, {"code", totp.wrong_code()}}).status == 401);
  auto done = b.post("/login/mfa", {{"csrf", step_csrf}, {"code", backup[3]}});
  REQUIRE(done.status == 303);
  CHECK(b.cookie != pending_cookie);  // a new token after the MFA step
  CHECK(b.get("/").status == 200);
  Browser old{b.port, b.origin, pending_cookie};
  CHECK(old.get("/").status == 303);

  // The same backup code does not work a second time.
  auto again_csrf = field(b.get("/").body, "csrf");
  REQUIRE(b.post("/logout", {{"csrf", again_csrf}}).status == 303);
  REQUIRE(b.post("/login", {{"email", "owner@example.com"}, {"password", kPassword}}).status == 303);
  auto step2 = field(b.get("/login/mfa").body, "csrf");
  CHECK(b.post("/login/mfa", {{"csrf", step2}, {"code", backup[3]}}).status == 401);
  CHECK(b.post("/login/mfa", {{"csrf", step2}, {"code", backup[4]}}).status == 303);

  // An owner cannot turn it off; the policy keeps it for owners and admins.
  auto csrf = field(b.get("/account/mfa").body, "csrf");
  auto off = b.post("/account/mfa/disable", {{"csrf", csrf}, {"password", kPassword}, {"code", backup[5]}});
  CHECK(off.status == 422);
  CHECK(off.body.find("Owners and admins must use two-factor authentication") != std::string::npos);
}

TEST_CASE("unknown users and wrong passwords take the same time to refuse", "[integration][console][V6.3.8]") {
  TempDir dir;
  // The lockout threshold above the attempts made: this is about the argon2id work alone (the
  // lockout's own sameness is in app/identity/lockout_test.cpp).
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}, {"AIRLOCK_LOCKOUT_FAILURES", "20"}});
  auto b = owner_browser(*a);
  auto timed = [&](const std::string& email) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = b.post("/login", {{"email", email}, {"password", "wrong password here"}});
    CHECK(r.status == 401);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  std::vector<double> unknown, ratios;
  for (int i = 0; i < 15; ++i) {  // in pairs, so a slow stretch of the machine hits both alike
    unknown.push_back(timed("nobody" + std::to_string(i) + "@example.com"));
    ratios.push_back(timed("owner@example.com") / unknown.back());
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  double mu = median(unknown), ratio = median(ratios);
  INFO("median unknown " << mu << " ms, median wrong/unknown ratio " << ratio);
  CHECK(mu > 20);  // a real argon2id verification happened
  CHECK(ratio > 0.8);
  CHECK(ratio < 1.25);
}

TEST_CASE("sign-in and setup attempts are rate limited per client with Retry-After", "[integration][console][V2.4.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_LOGIN_RATE_LIMIT", "3"}, {"AIRLOCK_SETUP_RATE_LIMIT", "2"}});
  Browser b{a->port(), "https://127.0.0.1:" + std::to_string(a->port()), ""};
  auto link = setup_link(*a);
  auto token = link.substr(link.find('=') + 1);
  std::map<std::string, std::string> weak{{"email", "o@example.com"}, {"password", "short"}, {"password2", "short"}};
  CHECK(b.get(link).status == 303);
  CHECK(b.post("/setup", weak).status == 422);
  CHECK(b.post("/setup", weak).status == 422);
  CHECK(b.get("/setup").status == 200);  // opening the link is not limited, only submissions are
  auto good = weak;
  good["password"] = good["password2"] = "correct horse battery staple";
  auto limited = b.post("/setup", good);  // even a valid one: the client is over its budget
  CHECK(limited.status == 429);
  CHECK(limited.body.find("Too many attempts") != std::string::npos);  // a page for people, not JSON
  CHECK(std::stoi(limited.headers.at("retry-after")) >= 1);
  CHECK(std::stoi(limited.headers.at("retry-after")) <= 3600);
  for (int i = 0; i < 3; ++i) CHECK(b.post("/login", {{"email", "a@example.com"}, {"password", "whatever it is"}}).status == 401);
  auto over = b.post("/login", {{"email", "a@example.com"}, {"password", "whatever it is"}});
  CHECK(over.status == 429);
  CHECK(std::stoi(over.headers.at("retry-after")) <= 60);
  CHECK(over.headers.at("content-type").rfind("text/html", 0) == 0);
  CHECK(over.body.find("Too many attempts") != std::string::npos);
  CHECK(b.get("/login").status == 200);  // the form itself is not limited
}
