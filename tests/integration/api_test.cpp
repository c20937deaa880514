// The JSON management API on the real binary over TLS: the same rules as the console, for
// session cookies (with CSRF) and personal access tokens.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "core/clock.h"
#include "identity/totp.h"
#include "support/console_client.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

Api session_api(Browser& b) {
  Api a{b.port, b.origin, "", b.cookie, ""};
  a.csrf = a.get("/api/v1/me")["csrf_token"];
  return a;
}

std::string code_of(const HttpReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? "" : j["error"].value("code", "");
}

std::int64_t now_s() { return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace

TEST_CASE("the management API mirrors users admin, invites and settings with the console's rules",
          "[integration][api][V8.2.1][V8.3.1][V3.5.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto b = owner_browser(*a);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  auto owner = session_api(b);

  // A token is minted from the session, shown once, listed by prefix only.
  auto made = owner.call("POST", "/api/v1/me/tokens", R"({"name":"automation","scope":"read_write","expires_in_days":30})");
  REQUIRE(made.status == 201);
  auto token = json::parse(made.body)["token"].get<std::string>();
  REQUIRE(std::regex_match(token, std::regex("alk_pat_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")));
  auto listed = owner.get("/api/v1/me/tokens");
  REQUIRE(listed["data"].size() == 1);
  CHECK(listed["data"][0]["prefix"] == token.substr(0, 16));
  CHECK(listed.dump().find(token) == std::string::npos);
  CHECK(listed["data"][0]["expires_at"].is_string());

  Api bot{a->port(), owner.origin, token, "", ""};
  auto reader_made = owner.call("POST", "/api/v1/me/tokens", R"({"name":"reader","scope":"read","expires_in_days":0})");
  REQUIRE(reader_made.status == 201);
  CHECK(json::parse(reader_made.body)["expires_at"].is_null());
  Api reader{a->port(), owner.origin, json::parse(reader_made.body)["token"], "", ""};
  // Expiry is a choice, never implied.
  CHECK(code_of(owner.call("POST", "/api/v1/me/tokens", R"({"name":"x","scope":"read"})")) == "invalid_fields");

  // Keys cannot mint keys or accounts, change their user's credentials, raise roles or weaken MFA.
  using Call = std::tuple<std::string, std::string, std::string>;
  for (auto [method, path, body] : std::vector<Call>{
           {"POST", "/api/v1/me/tokens", R"({"name":"x","scope":"read","expires_in_days":1})"},
           {"POST", "/api/v1/me/password", R"({"current_password":"a","new_password":"b"})"},
           {"POST", "/api/v1/me/mfa/enrolment", ""},
           {"POST", "/api/v1/me/mfa/enrolment/confirm", R"({"code":"123456"})"},
           {"POST", "/api/v1/me/mfa/backup-codes", ""},
           {"POST", "/api/v1/me/mfa/disable", R"({"password":"a","code":"1"})"},
           {"POST", "/api/v1/invites", R"({"email":"new@example.com","role":"owner"})"},
           {"PATCH", "/api/v1/users/1", R"({"role":"owner"})"},
           {"POST", "/api/v1/users/1/reset-mfa", ""},
           {"PATCH", "/api/v1/settings", R"({"require_mfa":false})"}}) {
    INFO(method << " " << path);
    auto r = bot.call(method, path, body);
    CHECK(r.status == 403);
    CHECK(code_of(r) == "session_required");
    // A read-only token is stopped before that, at its scope.
    auto ro = reader.call(method, path, body);
    CHECK(ro.status == 403);
    CHECK(code_of(ro) == "token_scope");
  }
  CHECK(code_of(reader.call("DELETE", "/api/v1/me/tokens/1")) == "token_scope");
  CHECK(code_of(reader.call("PATCH", "/api/v1/users/1", R"({"active":false})")) == "token_scope");
  CHECK(reader.get("/api/v1/users")["data"].size() == 1);

  // Invite by API: the link comes back once, and works in a browser.
  auto inv = owner.call("POST", "/api/v1/invites", R"({"email":"Ed@Example.com","role":"editor"})");
  REQUIRE(inv.status == 201);
  auto invite = json::parse(inv.body);
  CHECK(invite["email"] == "ed@example.com");
  std::string url = invite["invite_url"];
  REQUIRE(url.rfind(owner.origin + "/invite?token=", 0) == 0);
  for (const auto& line : a->log_lines()) CHECK(line.find(url.substr(url.find('=') + 1)) == std::string::npos);
  Browser ed = browser_for(*a);
  REQUIRE(accept_invite_link(ed, url, "an editor's long passphrase").status == 303);
  REQUIRE(sign_in(ed, "ed@example.com", "an editor's long passphrase").status == 303);
  auto editor = session_api(ed);
  auto taken = owner.call("POST", "/api/v1/invites", R"({"email":"ed@example.com","role":"viewer"})");
  CHECK(taken.status == 409);
  CHECK(code_of(taken) == "email_taken");

  auto users = bot.get("/api/v1/users")["data"];
  REQUIRE(users.size() == 2);
  auto ed_id = std::to_string(users[1]["id"].get<std::int64_t>());
  auto owner_id = std::to_string(users[0]["id"].get<std::int64_t>());
  CHECK(users[1]["role"] == "editor");
  CHECK(users.dump().find("hash") == std::string::npos);

  // An editor is kept out of users admin and settings, as on the console.
  for (auto [method, path, body] : std::vector<Call>{{"GET", "/api/v1/users", ""}, {"GET", "/api/v1/settings", ""},
                                                     {"PATCH", "/api/v1/users/" + owner_id, R"({"role":"viewer"})"},
                                                     {"POST", "/api/v1/invites", R"({"email":"x@example.com","role":"owner"})"},
                                                     {"PATCH", "/api/v1/settings", R"({"require_mfa":false})"}}) {
    INFO(method << " " << path);
    auto r = editor.call(method, path, body);
    CHECK(r.status == 403);
    CHECK(code_of(r) == "forbidden");
  }
  CHECK(editor.get("/api/v1/me")["role"] == "editor");

  // Bad bodies: each a clear error, nothing changed.
  struct Bad {
    std::string body, content_type;
    int status;
    std::string code;
  };
  for (const auto& c : std::vector<Bad>{{R"({"role":"viewer","role":"owner"})", "application/json", 400, "duplicate_key"},
                                        {R"({"role":"viewer")", "application/json", 400, "invalid_json"},
                                        {R"(["viewer"])", "application/json", 400, "not_an_object"},
                                        {"role=viewer", "application/x-www-form-urlencoded", 415, "unsupported_media_type"},
                                        {R"({"rolle":"viewer"})", "application/json", 422, "invalid_fields"},
                                        {R"({"role":7})", "application/json", 422, "invalid_fields"},
                                        {R"({"role":"superuser"})", "application/json", 422, "role_invalid"},
                                        {R"({"role":"viewer","active":false})", "application/json", 422, "one_change"},
                                        {R"({})", "application/json", 422, "one_change"}}) {
    INFO(c.body);
    auto r = bot.call("PATCH", "/api/v1/users/" + ed_id, c.body, {{"Content-Type", c.content_type}});
    CHECK(r.status == c.status);
    CHECK(code_of(r) == c.code);
    for (const char* leak : {"SQL", "sqlite", "UNIQUE", "/work/", ".cpp", "exception"}) CHECK(r.body.find(leak) == std::string::npos);
  }
  CHECK(bot.get("/api/v1/users/" + ed_id)["role"] == "editor");
  auto unknown = bot.call("PATCH", "/api/v1/users/99999", R"({"active":false})");
  CHECK(unknown.status == 404);
  CHECK(code_of(unknown) == "user_not_found");
  CHECK(bot.call("GET", "/api/v1/users/abc").status == 404);
  // The last owner cannot be demoted (not even by themselves); the refusal is audited as denied.
  auto self = owner.call("PATCH", "/api/v1/users/" + owner_id, R"({"role":"admin"})");
  CHECK(self.status == 409);
  CHECK(code_of(self) == "last_owner");
  CHECK(bot.get("/api/v1/audit?action=user.role_change&outcome=denied")["data"].size() == 1);

  // A role change ends the target's sessions at once, and is audited with before/after.
  auto changed = owner.call("PATCH", "/api/v1/users/" + ed_id, R"({"role":"viewer"})");
  REQUIRE(changed.status == 200);
  CHECK(json::parse(changed.body)["role"] == "viewer");
  CHECK(editor.call("GET", "/api/v1/me").status == 401);
  auto audit = bot.get("/api/v1/audit?action=user.role_change&outcome=success");
  REQUIRE(audit["data"].size() == 1);
  CHECK(audit["data"][0]["details"].dump().find("editor") != std::string::npos);
  CHECK(audit["data"][0]["actor"] == "owner@example.com");

  // Deactivate and reactivate; unlock and MFA reset answer with the user.
  CHECK(json::parse(bot.call("PATCH", "/api/v1/users/" + ed_id, R"({"active":false})").body)["active"] == false);
  CHECK(sign_in(ed, "ed@example.com", "an editor's long passphrase").status != 303);
  CHECK(json::parse(bot.call("PATCH", "/api/v1/users/" + ed_id, R"({"active":true})").body)["active"] == true);
  CHECK(bot.call("POST", "/api/v1/users/" + ed_id + "/unlock").status == 200);
  CHECK(owner.call("POST", "/api/v1/users/" + ed_id + "/reset-mfa").status == 200);

  // An admin manages users below owner only, and may not change the security policy.
  auto adm_inv = owner.call("POST", "/api/v1/invites", R"({"email":"adm@example.com","role":"admin"})");
  REQUIRE(adm_inv.status == 201);
  std::string adm_url = json::parse(adm_inv.body)["invite_url"];
  Browser adm_b = browser_for(*a);
  REQUIRE(accept_invite_link(adm_b, adm_url, "copper kettles whistle at dawn").status == 303);
  REQUIRE(sign_in(adm_b, "adm@example.com", "copper kettles whistle at dawn").status == 303);
  auto admin = session_api(adm_b);
  auto adm_settings = admin.call("PATCH", "/api/v1/settings", R"({"require_mfa":false})");
  CHECK(adm_settings.status == 403);
  CHECK(code_of(adm_settings) == "forbidden");
  CHECK(admin.get("/api/v1/settings")["require_mfa"] == true);
  auto adm_owner_inv = admin.call("POST", "/api/v1/invites", R"({"email":"o2@example.com","role":"owner"})");
  CHECK(adm_owner_inv.status == 403);
  CHECK(code_of(adm_owner_inv) == "owner_only");
  auto adm_on_owner = admin.call("PATCH", "/api/v1/users/" + owner_id, R"({"active":false})");
  CHECK(adm_on_owner.status == 403);
  CHECK(code_of(adm_on_owner) == "owner_only");
  CHECK(admin.call("PATCH", "/api/v1/users/" + ed_id, R"({"role":"editor"})").status == 200);

  // Settings: admins read, only owners change; every change is audited.
  auto settings = bot.get("/api/v1/settings");
  CHECK(settings["require_mfa"] == true);  // V6.3.3: on by default
  CHECK(settings["mfa_always_required_for"] == json::array({"owner", "admin"}));
  CHECK(settings["configuration"]["lockout"]["failures"] == 5);
  CHECK(settings["configuration"]["rate_limits"]["login"]["limit"] == 10);
  auto set = owner.call("PATCH", "/api/v1/settings", R"({"require_mfa":false})");
  REQUIRE(set.status == 200);
  CHECK(json::parse(set.body)["require_mfa"] == false);
  CHECK(code_of(owner.call("PATCH", "/api/v1/settings", R"({"require_mfa":"no"})")) == "invalid_fields");
  CHECK(bot.get("/api/v1/audit?action=settings.change")["data"].size() == 1);
  // The console page shows the same policy.
  auto page = b.get("/settings");
  CHECK(page.status == 200);
  CHECK(page.body.find("name=\"require_mfa\" value=\"true\">") != std::string::npos);  // unchecked

  // No secret handed out above appears in any log line.
  for (const auto& line : a->log_lines()) {
    CHECK(line.find(token.substr(17)) == std::string::npos);
    CHECK(line.find(adm_url.substr(adm_url.find('=') + 1)) == std::string::npos);
    CHECK(line.find("long passphrase") == std::string::npos);
    CHECK(line.find("copper kettles") == std::string::npos);
  }
}

TEST_CASE("cookie callers of the API need same origin and the CSRF token for every change",
          "[integration][api][csrf][V3.5.1][V3.5.2]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto b = owner_browser(*a);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  auto owner = session_api(b);
  const std::string body = R"({"name":"x","scope":"read"})";
  for (auto [what, headers] : std::vector<std::pair<std::string, std::map<std::string, std::string>>>{
           {"no CSRF token", {{"X-CSRF-Token", ""}}},
           {"wrong CSRF token", {{"X-CSRF-Token", std::string(43, 'A')}}},
           {"other origin", {{"Origin", "https://evil.example"}}},
           {"cross-site fetch", {{"Sec-Fetch-Site", "cross-site"}}},
           {"no origin information at all", {{"Origin", ""}}}}) {
    INFO(what);
    auto r = owner.call("POST", "/api/v1/me/tokens", body, headers);
    CHECK(r.status == 403);
    CHECK(code_of(r) == "csrf_failed");
    auto p = owner.call("PATCH", "/api/v1/settings", R"({"require_mfa":false})", headers);
    CHECK(p.status == 403);
    CHECK(code_of(p) == "csrf_failed");
  }
  CHECK(owner.get("/api/v1/settings")["require_mfa"] == true);
  CHECK(owner.get("/api/v1/me/tokens")["data"].empty());
  // DELETE is a change too.
  auto sessions = owner.get("/api/v1/me/sessions")["data"];
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["current"] == true);
  auto sid = std::to_string(sessions[0]["id"].get<std::int64_t>());
  CHECK(code_of(owner.call("DELETE", "/api/v1/me/sessions/" + sid, "", {{"X-CSRF-Token", ""}})) == "csrf_failed");
  auto ended = owner.call("DELETE", "/api/v1/me/sessions/" + sid);
  CHECK(ended.status == 204);
  CHECK(ended.body.empty());
  CHECK(ended.headers.count("content-type") == 0);
  CHECK(owner.call("GET", "/api/v1/me").status == 401);
}

TEST_CASE("own second factor and password through the API: enrol by code, replay refused, password change renews the session",
          "[integration][api][mfa][V6.5.1][V6.2.2]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto ob = owner_browser(*a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto boss = session_api(ob);
  CHECK(boss.get("/api/v1/me/mfa")["enabled"] == true);          // owners must have it
  CHECK(boss.get("/api/v1/me/mfa")["required_by_policy"] == true);
  // An editor, once the owner relaxed the policy for editors and viewers, enrols by choice.
  REQUIRE(boss.call("PATCH", "/api/v1/settings", R"({"require_mfa":false})").status == 200);
  auto inv = boss.call("POST", "/api/v1/invites", R"({"email":"ed@example.com","role":"editor"})");
  REQUIRE(inv.status == 201);
  Browser b = browser_for(*a);
  REQUIRE(accept_invite_link(b, json::parse(inv.body)["invite_url"], kConsolePassword).status == 303);
  auto in = b.post("/login", {{"email", "ed@example.com"}, {"password", kConsolePassword}});
  REQUIRE(in.status == 303);
  CHECK(in.headers.at("location") == "/");  // no second step for an editor without one
  auto owner = session_api(b);

  CHECK(owner.get("/api/v1/me/mfa")["enabled"] == false);
  CHECK(owner.get("/api/v1/me/mfa")["required_by_policy"] == false);
  auto started = owner.call("POST", "/api/v1/me/mfa/enrolment");
  REQUIRE(started.status == 201);
  auto secret = airlock::identity::base32_decode(json::parse(started.body)["secret"].get<std::string>());
  REQUIRE(secret);
  CHECK(owner.get("/api/v1/me/mfa")["enrolment_pending"] == true);
  CHECK(code_of(owner.call("POST", "/api/v1/me/mfa/enrolment/confirm", R"({"code":"000000x"})")) == "mfa_code_invalid");
  auto code = airlock::identity::totp_at(*secret, now_s());
  auto confirmed = owner.call("POST", "/api/v1/me/mfa/enrolment/confirm", json{{"code", code}}.dump());
  REQUIRE(confirmed.status == 200);
  auto codes = json::parse(confirmed.body)["backup_codes"];
  CHECK(codes.size() == 10);
  CHECK(owner.get("/api/v1/me/mfa")["enabled"] == true);
  CHECK(owner.call("POST", "/api/v1/me/mfa/enrolment").status == 409);
  // The code that enrolled cannot turn it off again (replay), a backup code with the password can.
  auto replay = owner.call("POST", "/api/v1/me/mfa/disable", json{{"password", kConsolePassword}, {"code", code}}.dump());
  CHECK(replay.status == 422);
  CHECK(code_of(replay) == "mfa_code_invalid");
  auto wrong_pw = owner.call("POST", "/api/v1/me/mfa/disable", json{{"password", "not it at all, no"}, {"code", codes[0]}}.dump());
  CHECK(wrong_pw.status == 422);
  CHECK(code_of(wrong_pw) == "password_wrong");
  auto off = owner.call("POST", "/api/v1/me/mfa/disable", json{{"password", kConsolePassword}, {"code", codes[1]}}.dump());
  CHECK(off.status == 200);
  // Owners can never turn theirs off.
  auto boss_off = boss.call("POST", "/api/v1/me/mfa/disable", json{{"password", kConsolePassword}, {"code", "000000"}}.dump());
  CHECK(boss_off.status == 409);
  CHECK(code_of(boss_off) == "mfa_required_by_policy");

  // Password change: policy errors are 422 with the policy's code; success renews the session.
  auto weak = owner.call("POST", "/api/v1/me/password", json{{"current_password", kConsolePassword}, {"new_password", "short"}}.dump());
  CHECK(weak.status == 422);
  CHECK(code_of(weak) == "password_too_short");
  auto wrong = owner.call("POST", "/api/v1/me/password",
                          json{{"current_password", "not the password"}, {"new_password", "a brand new passphrase"}}.dump());
  CHECK(wrong.status == 422);
  CHECK(code_of(wrong) == "password_wrong");
  auto changed = owner.call("POST", "/api/v1/me/password",
                            json{{"current_password", kConsolePassword}, {"new_password", "a brand new passphrase"}}.dump());
  REQUIRE(changed.status == 200);
  CHECK(owner.call("GET", "/api/v1/me").status == 401);
  auto cookie = changed.headers.at("set-cookie");
  Api renewed{owner.port, owner.origin, "", cookie.substr(0, cookie.find(';')), json::parse(changed.body)["csrf_token"]};
  CHECK(renewed.get("/api/v1/me")["email"] == "ed@example.com");
  // The password alone made this session: minting a token needs a step-up first (V7.5.1).
  auto unconfirmed = renewed.call("POST", "/api/v1/me/tokens", R"({"name":"after","scope":"read","expires_in_days":1})");
  CHECK(unconfirmed.status == 403);
  CHECK(code_of(unconfirmed) == "step_up_required");
  REQUIRE(renewed.call("POST", "/api/v1/me/confirm", json{{"password", "a brand new passphrase"}}.dump()).status == 204);
  auto minted = renewed.call("POST", "/api/v1/me/tokens", R"({"name":"after","scope":"read","expires_in_days":1})");
  REQUIRE(minted.status == 201);
  Api bot{owner.port, owner.origin, json::parse(minted.body)["token"], "", ""};
  CHECK(bot.call("GET", "/api/v1/me").status == 200);
  // V6.3.3: once the owner requires MFA for editors again, the token of an editor without it stops.
  REQUIRE(boss.call("PATCH", "/api/v1/settings", R"({"require_mfa":true})").status == 200);
  auto held = bot.call("GET", "/api/v1/me");
  CHECK(held.status == 403);
  CHECK(code_of(held) == "mfa_required");
  // Their open session ends; signing in again (password first) leads to enrolment.
  auto me = renewed.call("GET", "/api/v1/me");
  CHECK(me.status == 401);
  CHECK(code_of(me) == "unauthenticated");
  auto policy_events = boss.get("/api/v1/audit?action=settings.change")["data"];
  REQUIRE(!policy_events.empty());
  CHECK(policy_events[0]["details"]["sessions_ended_for_mfa"] == 1);
  Browser tab{renewed.port, renewed.origin, ""};
  auto again = tab.post("/login", {{"email", "ed@example.com"}, {"password", "a brand new passphrase"}});
  REQUIRE(again.status == 303);
  CHECK(again.headers.at("location") == "/login/mfa");
  CHECK(tab.get("/login/mfa").body.find("totp-secret") != std::string::npos);  // enrolment, not a code prompt
  auto secret_b32 = json::parse(started.body)["secret"].get<std::string>();
  for (const auto& line : a->log_lines()) {
    CHECK(line.find(secret_b32) == std::string::npos);
    for (const auto& c : codes) CHECK(line.find(c.get<std::string>()) == std::string::npos);
    CHECK(line.find("brand new passphrase") == std::string::npos);
  }
}
