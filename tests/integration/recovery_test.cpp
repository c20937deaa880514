// Account recovery and admin sign-out on the real binary over real TLS: an admin's one-time
// password-reset link that still asks for the second factor, the host command for the last owner,
// signing one user or everyone out from the console, the API and the CLI, and step-up.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"
#include "support/harness.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

constexpr const char* kEditorPassword = "a different long passphrase";
constexpr const char* kNewPassword = "quiet rivers carve deep stone";

std::string shown_link(const std::string& html, const std::string& id, const std::string& path) {
  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex("id=\"" + id + "\">https://[^/]+(/" + path + "\\?token=[A-Za-z0-9_-]{43})<")));
  return m[1];
}

// The owner signed in, and an editor who accepted an invite and signed in.
struct Team {
  std::unique_ptr<Airlock> a;
  Browser owner{0, "", ""};
  Browser editor{0, "", ""};
  std::string editor_id;
};

Team team(const std::string& dir, const Env& env = {}) {
  Team t;
  Env all = {{"AIRLOCK_SETUP_RATE_LIMIT", "100"}, {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}};
  all.insert(env.begin(), env.end());
  t.a = Airlock::start(dir, all);
  t.owner = owner_browser(*t.a);
  REQUIRE(sign_in(t.owner, "owner@example.com").status == 303);
  auto csrf = field(t.owner.get("/users").body, "csrf");
  auto made = t.owner.post("/users/invite", {{"csrf", csrf}, {"email", "editor@example.com"}, {"role", "editor"}});
  REQUIRE(made.status == 200);
  t.editor = browser_for(*t.a);
  REQUIRE(accept_invite_link(t.editor, shown_link(made.body, "invite-link", "invite"), kEditorPassword).status == 303);
  REQUIRE(sign_in(t.editor, "editor@example.com", kEditorPassword).status == 303);
  t.editor_id = user_id(t.owner.get("/users").body, "editor@example.com");
  return t;
}

}  // namespace

TEST_CASE("an admin's reset link sets a new password once, still asks for the second factor, and ends sessions",
          "[integration][recovery][V6.4.3][V14.2.1][V7.4.1]") {
  TempDir dir;
  auto t = team(dir.path());
  auto mfa = known_factors().at({t.a->port(), "editor@example.com"});  // set up at first sign-in
  REQUIRE(t.editor.get("/").status == 200);

  auto csrf = field(t.owner.get("/users").body, "csrf");
  auto made = t.owner.post("/users/" + t.editor_id + "/reset-link", {{"csrf", csrf}});
  REQUIRE(made.status == 200);
  CHECK(made.headers.at("cache-control") == "no-store");
  CHECK(made.body.find("authenticator or a backup code") != std::string::npos);
  auto path = shown_link(made.body, "reset-link", "reset");
  auto token = path.substr(path.find('=') + 1);
  for (const auto& line : t.a->log_lines()) CHECK(line.find(token) == std::string::npos);

  // The user opens it in a browser of their own: the token leaves the URL for a cookie.
  Browser b = browser_for(*t.a);
  auto opened = b.get(path);
  REQUIRE(opened.status == 303);
  CHECK(opened.headers.at("location") == "/reset");
  CHECK(opened.headers.at("set-cookie").rfind("__Host-airlock_reset=" + token + "; Path=/; Secure; HttpOnly; SameSite=Lax", 0) == 0);
  auto form = b.get("/reset");
  REQUIRE(form.status == 200);
  CHECK(form.body.find(token) == std::string::npos);
  CHECK(form.body.find("name=\"code\"") != std::string::npos);
  CHECK(form.body.find("editor@example.com") != std::string::npos);

  // Without the cookie nothing works, not even with the token as a field.
  CHECK(browser_for(*t.a).post("/reset", {{"token", token}, {"password", kNewPassword}, {"password2", kNewPassword}})
            .status == 404);
  // No code, a wrong code, a weak password: refused, and the link stays usable.
  CHECK(b.post("/reset", {{"password", kNewPassword}, {"password2", kNewPassword}}).status == 422);
  CHECK(b.post("/reset", {{"password", kNewPassword}, {"password2", kNewPassword}, {"code", mfa.wrong_code()}}).status == 422);
  CHECK(b.post("/reset", {{"password", "short"}, {"password2", "short"}, {"code", mfa.backup[0]}}).status == 422);
  auto probe = browser_for(*t.a);
  CHECK(sign_in(probe, "editor@example.com", kEditorPassword).status == 303);  // unchanged so far

  auto done = b.post("/reset", {{"password", kNewPassword}, {"password2", kNewPassword}, {"code", mfa.backup[1]}});
  REQUIRE(done.status == 303);
  CHECK(done.headers.at("location") == "/login?reset=1");
  CHECK(done.headers.at("set-cookie").rfind("__Host-airlock_reset=; ", 0) == 0);
  CHECK(b.get("/login?reset=1").body.find("Your password is changed") != std::string::npos);
  // Opened and used: still in no log line (the access log records route patterns only).
  for (const auto& line : t.a->log_lines()) CHECK(line.find(token) == std::string::npos);

  // Every session of the user ended; the old password is gone, the new one reaches the MFA step.
  CHECK(t.editor.get("/").status == 303);
  CHECK(sign_in(probe, "editor@example.com", kEditorPassword).status == 401);
  auto fresh = browser_for(*t.a);
  auto in = fresh.post("/login", {{"email", "editor@example.com"}, {"password", kNewPassword}});
  REQUIRE(in.status == 303);
  CHECK(in.headers.at("location") == "/login/mfa");

  // Single use: the link, and the cookie replayed.
  CHECK(browser_for(*t.a).get(path).status == 404);
  b.link_cookies["__Host-airlock_reset"] = token;
  CHECK(b.post("/reset", {{"password", kEditorPassword}, {"password2", kEditorPassword}, {"code", mfa.backup[2]}})
            .status == 404);

  auto audit = t.owner.get("/audit");
  for (auto action : {"user.password_reset_link", "user.password_reset"})
    CHECK(audit.body.find(action) != std::string::npos);
  CHECK(audit.body.find(token) == std::string::npos);
}

TEST_CASE("airlock user reset-password and reset-mfa give the last owner a way back in",
          "[integration][recovery][cli][V6.4.3][V6.4.4]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto owner = owner_browser(*a);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);  // sets up TOTP
  auto csrf = field(owner.get("/").body, "csrf");
  REQUIRE(owner.post("/logout", {{"csrf", csrf}}).status == 303);
  Env env{{"AIRLOCK_DATA_DIR", dir.path()}};
  // The owner lost the authenticator and forgot the password: both are reset on the host.
  CHECK(run_program({airlock_bin(), "user", "reset-mfa", "--email", "nobody@example.com"}, env).exit_code == 1);
  auto mfa = run_program({airlock_bin(), "user", "reset-mfa", "--email", "owner@example.com"}, env);
  REQUIRE(mfa.exit_code == 0);
  CHECK(mfa.err.find("second factor removed") != std::string::npos);
  auto unknown = run_program({airlock_bin(), "user", "reset-password", "--email", "nobody@example.com"}, env);
  CHECK(unknown.exit_code == 1);
  CHECK(run_program({airlock_bin(), "user", "reset-password"}, env).exit_code == 2);
  // While the server runs, on the same data dir.
  auto r = run_program({airlock_bin(), "user", "reset-password", "--email", "Owner@Example.com"}, env);
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex("/reset\\?token=([A-Za-z0-9_-]{43})\\n")));
  std::string token = m[1];
  CHECK(r.err.find(token) == std::string::npos);  // the link goes to stdout alone
  CHECK(r.err.find("owner@example.com") != std::string::npos);
  auto form = open_link(owner, "/reset?token=" + token);
  REQUIRE(form.status == 200);
  CHECK(form.body.find("name=\"code\"") == std::string::npos);  // no factor left to ask for
  REQUIRE(owner.post("/reset", {{"password", kNewPassword}, {"password2", kNewPassword}}).status == 303);
  CHECK(sign_in(owner, "owner@example.com").status == 401);
  auto back = owner.post("/login", {{"email", "owner@example.com"}, {"password", kNewPassword}});
  REQUIRE(back.status == 303);
  CHECK(back.headers.at("location") == "/login/mfa");
  CHECK(owner.get("/login/mfa").body.find("totp-secret") != std::string::npos);  // a new authenticator first
}

TEST_CASE("admins sign out one user or everyone, from the console, the API and the host",
          "[integration][recovery][sessions][V7.4.5]") {
  TempDir dir;
  auto t = team(dir.path());
  auto csrf = field(t.owner.get("/users").body, "csrf");
  // One user, from the console: their session is dead at once; the account still works.
  auto out = t.owner.post("/users/" + t.editor_id + "/sign-out", {{"csrf", csrf}});
  REQUIRE(out.status == 303);
  CHECK(out.headers.at("location") == "/users?done=signed_out");
  CHECK(t.editor.get("/").status == 303);
  REQUIRE(sign_in(t.editor, "editor@example.com", kEditorPassword).status == 303);
  CHECK(t.editor.get("/").status == 200);
  // Not oneself, and an editor may not.
  std::string owner_id = "1";  // the first user
  auto ecsrf = field(t.editor.get("/").body, "csrf");
  CHECK(t.editor.post("/users/sign-out-all", {{"csrf", ecsrf}}).status == 403);
  CHECK(t.editor.post("/users/" + owner_id + "/sign-out", {{"csrf", ecsrf}}).status == 403);

  // Everyone, from the console: the caller's session stays, every other ends (theirs too).
  Browser owner2 = browser_for(*t.a);
  REQUIRE(sign_in(owner2, "owner@example.com").status == 303);
  auto all = t.owner.post("/users/sign-out-all", {{"csrf", csrf}});
  REQUIRE(all.status == 303);
  CHECK(all.headers.at("location") == "/users?done=signed_out_all");
  CHECK(t.owner.get("/users").status == 200);
  CHECK(owner2.get("/").status == 303);
  CHECK(t.editor.get("/").status == 303);

  // The API, for one user and for everyone.
  REQUIRE(sign_in(t.editor, "editor@example.com", kEditorPassword).status == 303);
  std::map<std::string, std::string> h{{"Cookie", t.owner.cookie}, {"Origin", t.owner.origin}, {"X-CSRF-Token", csrf},
                                       {"Content-Type", "application/json"}};
  auto one = https_request(t.a->port(), "POST", "/api/v1/users/" + t.editor_id + "/sign-out", h, "");
  CHECK(one.status == 200);
  CHECK(json::parse(one.body)["email"] == "editor@example.com");
  CHECK(t.editor.get("/").status == 303);
  REQUIRE(sign_in(t.editor, "editor@example.com", kEditorPassword).status == 303);
  auto every = https_request(t.a->port(), "POST", "/api/v1/sessions/sign-out-all", h, "");
  REQUIRE(every.status == 200);
  CHECK(json::parse(every.body)["sessions_ended"] == 1);
  CHECK(t.editor.get("/").status == 303);
  CHECK(t.owner.get("/").status == 200);

  // The host: one user, then everyone (the owner too).
  REQUIRE(sign_in(t.editor, "editor@example.com", kEditorPassword).status == 303);
  Env env{{"AIRLOCK_DATA_DIR", dir.path()}};
  CHECK(run_program({airlock_bin(), "sessions", "revoke"}, env).exit_code == 2);
  CHECK(run_program({airlock_bin(), "sessions", "revoke", "--user", "x@example.com", "--all"}, env).exit_code == 2);
  CHECK(run_program({airlock_bin(), "sessions", "revoke", "--user", "nobody@example.com"}, env).exit_code == 1);
  auto cli_one = run_program({airlock_bin(), "sessions", "revoke", "--user", "editor@example.com"}, env);
  REQUIRE(cli_one.exit_code == 0);
  CHECK(cli_one.err.find("sessions ended: 1") != std::string::npos);
  CHECK(t.editor.get("/").status == 303);
  CHECK(t.owner.get("/").status == 200);
  auto cli_all = run_program({airlock_bin(), "sessions", "revoke", "--all"}, env);
  REQUIRE(cli_all.exit_code == 0);
  CHECK(t.owner.get("/").status == 303);

  REQUIRE(sign_in(t.owner, "owner@example.com").status == 303);
  auto audit = t.owner.get("/audit");
  for (auto action : {"user.sessions_revoke", "sessions.revoke_all"}) CHECK(audit.body.find(action) != std::string::npos);
}

TEST_CASE("step-up: the confirmation page checks password and code and returns only to known pages",
          "[integration][recovery][step_up][V7.5.1]") {
  TempDir dir;
  auto t = team(dir.path());
  auto mfa = known_factors().at({t.a->port(), "editor@example.com"});
  auto page = t.editor.get("/account/confirm?next=https://evil.example/");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("evil.example") == std::string::npos);  // next falls back to /account
  CHECK(page.body.find("name=\"code\"") != std::string::npos);
  auto csrf = field(page.body, "csrf");
  CHECK(t.editor.post("/account/confirm", {{"csrf", csrf}, {"next", "/users"}, {"password", "wrong password here"},
                                           {"code", mfa.backup[0]}})
            .status == 422);
  CHECK(t.editor.post("/account/confirm", {{"csrf", csrf}, {"next", "/users"}, {"password", kEditorPassword}}).status ==
        422);
  auto ok = t.editor.post("/account/confirm",
                          {{"csrf", csrf}, {"next", "/account/mfa"}, {"password", kEditorPassword}, {"code", mfa.backup[0]}});
  REQUIRE(ok.status == 303);
  CHECK(ok.headers.at("location") == "/account/mfa");
  auto off_site = t.editor.post("/account/confirm", {{"csrf", csrf}, {"next", "//evil.example"},
                                                     {"password", kEditorPassword}, {"code", mfa.backup[1]}});
  REQUIRE(off_site.status == 303);
  CHECK(off_site.headers.at("location") == "/account");
  // The API form: JSON, session only.
  std::map<std::string, std::string> h{{"Cookie", t.editor.cookie}, {"Origin", t.editor.origin}, {"X-CSRF-Token", csrf},
                                       {"Content-Type", "application/json"}};
  CHECK(https_request(t.a->port(), "POST", "/api/v1/me/confirm", h, R"({"password":"nope nope nope"})").status == 422);
  CHECK(https_request(t.a->port(), "POST", "/api/v1/me/confirm", h,
                      json{{"password", kEditorPassword}, {"code", mfa.backup[2]}}.dump())
            .status == 204);
  auto audit = field(t.owner.get("/users").body, "csrf");
  CHECK(t.owner.get("/audit").body.find("session.step_up") != std::string::npos);
  (void)audit;
}
