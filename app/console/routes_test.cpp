// Walks the whole route table for every role: each route is allowed exactly for the roles at or
// above its declared level and refused (403, or a redirect to sign in) for the rest. A public
// route must be on the explicit list below, so a route that forgot its guard fails here.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <set>

#include "console/console.h"
#include "http/health_routes.h"
#include "identity/login.h"
#include "identity/mfa.h"
#include "identity/totp.h"
#include "store/users_repo.h"
#include "support/identity_fixture.h"

using namespace airlock;
using testing::IdentityFixture;

namespace {

const std::set<std::string> kPublicRoutes = {"GET /healthz", "GET /readyz", "GET /static/{name}", "POST /csp-report", "GET /setup",
                                             "POST /setup", "GET /login",   "POST /login",        "GET /invite",
                                             "POST /invite", "GET /reset",   "POST /reset"};
constexpr const char* kOrigin = "https://airlock.test";

// What the guard checks after the role, route by route (guard/routes.h Rules). A route missing here
// declares none; a new rule on a route, or a rule dropped, fails the table test until this is
// updated on purpose.
struct Declared {
  bool session_only = false;
  bool step_up = false;
  std::string rate_class;
  bool argon2 = false;
};
const std::map<std::string, Declared> kDeclared = {
    {"POST /csp-report", {.rate_class = "csp_report"}},
    {"POST /setup", {.rate_class = "setup", .argon2 = true}},
    {"POST /login", {.rate_class = "login", .argon2 = true}},
    {"POST /invite", {.rate_class = "setup", .argon2 = true}},
    {"POST /reset", {.rate_class = "setup", .argon2 = true}},
    {"POST /login/mfa", {.rate_class = "login", .argon2 = true}},
    {"POST /login/mfa/enrol", {.argon2 = true}},
    {"POST /account/confirm", {.rate_class = "login", .argon2 = true}},
    {"POST /account/password", {.rate_class = "login", .argon2 = true}},
    {"POST /account/tokens", {.step_up = true}},
    {"POST /account/mfa/start", {.step_up = true}},
    {"POST /account/mfa/confirm", {.argon2 = true}},
    {"POST /account/mfa/backup-codes", {.step_up = true, .argon2 = true}},
    {"POST /account/mfa/disable", {.rate_class = "login", .argon2 = true}},
    {"POST /settings/mfa", {.step_up = true}},
    {"POST /settings/guardrails", {.step_up = true}},
    {"POST /settings/key-rotation", {.step_up = true}},
    {"POST /users/invite", {.step_up = true}},
    {"POST /users/{user_id}/role", {.step_up = true}},
    {"POST /users/{user_id}/reset-mfa", {.step_up = true}},
    {"POST /users/{user_id}/reset-link", {.step_up = true}},
    {"POST /api/v1/me/password", {.session_only = true, .rate_class = "login", .argon2 = true}},
    {"POST /api/v1/me/confirm", {.session_only = true, .rate_class = "login", .argon2 = true}},
    {"POST /api/v1/me/tokens", {.session_only = true, .step_up = true}},
    {"POST /api/v1/me/mfa/enrolment", {.session_only = true, .step_up = true}},
    {"POST /api/v1/me/mfa/enrolment/confirm", {.session_only = true, .argon2 = true}},
    {"POST /api/v1/me/mfa/backup-codes", {.session_only = true, .step_up = true, .argon2 = true}},
    {"POST /api/v1/me/mfa/disable", {.session_only = true, .rate_class = "login", .argon2 = true}},
    {"POST /api/v1/users/{user_id}/reset-mfa", {.session_only = true, .step_up = true}},
    {"POST /api/v1/users/{user_id}/password-reset", {.session_only = true, .step_up = true}},
    {"POST /api/v1/invites", {.session_only = true, .step_up = true}},
    {"PATCH /api/v1/settings", {.session_only = true, .step_up = true}},
    {"PUT /api/v1/guardrails", {.session_only = true, .step_up = true}},
    {"POST /api/v1/providers", {.session_only = true}},
    {"PATCH /api/v1/providers/{provider_id}", {.session_only = true}},
    {"POST /api/v1/keys", {.session_only = true}},
    {"POST /api/v1/keys/{key_id}/rotate", {.session_only = true}},
};

struct Caller {
  std::string cookie;
  std::string csrf;
};

// A user with a full session, as after password and second factor (owners and admins always
// need MFA, so a password alone would only reach the MFA step).
Caller sign_in(IdentityFixture& f, identity::Role role, const std::string& email) {
  identity::NewSession s;
  REQUIRE(f.db->write([&](store::Tx& tx) {
    auto hash = identity::hash_password("a long enough passphrase", f.d().policies.argon2, f.random);
    auto id = store::users::insert(tx, email, *hash, role, f.d().now_s());
    s = identity::start_session(f.d(), tx, id, true, {"192.0.2.1", "t", "r"});
    return core::Status::ok();
  }));
  return {"__Host-airlock_session=" + s.token, s.csrf_token};
}

// Fills a concrete path for a pattern: {x} → 1.
std::string concrete(const std::string& pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      out += "1";
      i = pattern.find('}', i);
    } else {
      out += pattern[i];
    }
  }
  return out;
}

int call(const http::Router& router, const http::Route& route, const Caller* who) {
  http::Request req;
  std::string path = concrete(route.pattern);
  std::string body = who ? "csrf=" + who->csrf : "";
  req.method = route.method;
  req.path = path;
  req.target = path;
  req.body = body;
  req.request_id = "walk";
  req.client_ip = "192.0.2.1";
  req.headers = {{"Origin", kOrigin}, {"Sec-Fetch-Site", "same-origin"},
                 {"Content-Type", "application/x-www-form-urlencoded"}};
  if (who) req.headers.emplace_back("Cookie", who->cookie);
  auto m = router.match(req.method, req.path);
  REQUIRE(m.route == &route);
  for (auto& [k, v] : m.params) req.path_params.emplace(k, v);
  return route.handler(req).status;
}

// The whole route table as serve builds it, with limits too high to matter.
struct ConsoleFixture {
  explicit ConsoleFixture(IdentityFixture& f)
      : renderer(f.random), guard(f.d(), kOrigin), routes(router, guard),
        unlimited({1000000, std::chrono::seconds(60)}, f.clock), log(f.clock, core::LogLevel::kError),
        gw_deps{*f.db, f.clock, f.random, f.fields, core::SecretBytes(core::Bytes(32, 7))}, usage(*f.db, log, 1024),
        gw(gw_deps, log, usage, "/etc/ssl/certs/ca-certificates.crt"),
        deps{f.d(), renderer, guard, unlimited, unlimited, unlimited, log, gw} {
    http::add_health_routes(router, *f.db);
    console::add_console_routes(routes, deps);
  }
  console::Renderer renderer;
  guard::Guard guard;
  http::Router router;
  guard::Routes routes;
  guard::SlidingWindowLimiter unlimited;
  core::Logger log;
  gateway::Deps gw_deps;
  gateway::UsageRecorder usage;
  gateway::Gateway gw;
  console::Deps deps;
};

}  // namespace

TEST_CASE("every route declares its access level and enforces it for every role", "[console][routes][V8.2.1]") {
  IdentityFixture f;
  ConsoleFixture table(f);
  auto& router = table.router;

  const std::vector<std::pair<identity::Role, http::Access>> roles = {
      {identity::Role::kViewer, http::Access::kViewer},
      {identity::Role::kEditor, http::Access::kEditor},
      {identity::Role::kAdmin, http::Access::kAdmin},
      {identity::Role::kOwner, http::Access::kOwner}};

  for (const auto& route : router.routes()) {
    std::string name = route.method + " " + route.pattern;
    INFO(name << " declared " << http::access_name(route.access));
    auto want = kDeclared.count(name) ? kDeclared.at(name) : Declared{};
    CHECK(route.session_only == want.session_only);
    CHECK(route.step_up == want.step_up);
    CHECK(route.rate_class == want.rate_class);
    CHECK(route.costly == want.argon2);
    if (route.access == http::Access::kPublic) {
      CHECK(kPublicRoutes.count(name) == 1);
      continue;
    }
    CHECK(kPublicRoutes.count(name) == 0);
    if (route.access == http::Access::kMfaPending) continue;  // covered by the MFA tests
    // Anonymous callers never get through.
    int anon = call(router, route, nullptr);
    CHECK((anon == 303 || anon == 401));
    for (const auto& [role, level] : roles) {
      // A fresh user per check: some routes (sign out) end the caller's session.
      auto who = sign_in(f, role, std::string(identity::role_name(role)) + "-" + std::to_string(router.routes().size()) +
                                      "-" + std::to_string(&route - router.routes().data()) + "@example.com");
      int status = call(router, route, &who);
      INFO("as " << identity::role_name(role) << " → " << status);
      if (static_cast<int>(level) >= static_cast<int>(route.access)) {
        CHECK(status != 401);
        // Allowed in: refused only by a declared step-up (the sign-in is fresh, so none here).
        CHECK(status != 403);
        CHECK(status < 500);  // an allowed role never meets a 5xx from a route's own code
      } else {
        CHECK(status == 403);
      }
    }
  }
}

TEST_CASE("every declared rule names a route that exists", "[console][routes]") {
  IdentityFixture f;
  ConsoleFixture table(f);
  std::set<std::string> names;
  for (const auto& route : table.router.routes()) names.insert(route.method + " " + route.pattern);
  for (const auto& [name, rules] : kDeclared) {
    INFO(name);
    CHECK(names.count(name) == 1);
  }
}

TEST_CASE("unsafe requests without the session's CSRF token or from another origin are refused",
          "[console][csrf][V3.5.1]") {
  IdentityFixture f;
  ConsoleFixture table(f);
  auto& router = table.router;
  auto who = sign_in(f, identity::Role::kOwner, "owner@example.com");
  auto logout = router.match("POST", "/logout");
  REQUIRE(logout.route);

  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };
  std::string good_body = "csrf=" + who.csrf;
  std::vector<Case> cases = {
      {"no token", {{"Origin", kOrigin}}, ""},
      {"wrong token", {{"Origin", kOrigin}}, "csrf=" + std::string(43, 'A')},
      {"token with a suffix", {{"Origin", kOrigin}}, good_body + "x"},
      {"cross-site origin", {{"Origin", "https://evil.test"}}, good_body},
      {"cross-site fetch", {{"Sec-Fetch-Site", "cross-site"}}, good_body},
      {"same-site but other origin", {{"Sec-Fetch-Site", "same-site"}, {"Origin", kOrigin}}, good_body},
      {"no origin information", {}, good_body},
      {"origin with a port twist", {{"Origin", std::string(kOrigin) + ":443"}}, good_body},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    http::Request req;
    req.method = "POST";
    req.path = "/logout";
    req.target = "/logout";
    req.body = c.body;
    req.request_id = "csrf";
    std::vector<std::pair<std::string, std::string>> owned = c.headers;
    owned.emplace_back("Cookie", who.cookie);
    owned.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    for (const auto& [k, v] : owned) req.headers.emplace_back(k, v);
    CHECK(logout.route->handler(req).status == 403);
  }
  // The real thing still works afterwards: the refused attempts did not end the session.
  http::Request ok;
  ok.method = "POST";
  ok.path = "/logout";
  ok.target = "/logout";
  ok.body = good_body;
  std::vector<std::pair<std::string, std::string>> owned = {
      {"Origin", kOrigin}, {"Cookie", who.cookie}, {"Content-Type", "application/x-www-form-urlencoded"}};
  for (const auto& [k, v] : owned) ok.headers.emplace_back(k, v);
  CHECK(logout.route->handler(ok).status == 303);
}

TEST_CASE("sensitive actions ask for a step-up once the sign-in is older than five minutes", "[console][step_up][V7.5.1]") {
  IdentityFixture f;
  ConsoleFixture table(f);
  auto& router = table.router;
  auto who = sign_in(f, identity::Role::kOwner, "owner@example.com");
  sign_in(f, identity::Role::kViewer, "viewer@example.com");  // user 2, the target
  auto send = [&](const std::string& method, const std::string& path, const std::string& body, bool json) {
    http::Request req;
    req.method = method;
    req.path = path;
    req.target = path;
    // Request holds views: the body must outlive the call.
    static std::string owned;
    owned = json ? body : "csrf=" + who.csrf + (body.empty() ? "" : "&" + body);
    req.body = owned;
    req.request_id = "step-up";
    req.client_ip = "192.0.2.1";
    req.headers = {{"Origin", kOrigin}, {"Cookie", who.cookie},
                   {"Content-Type", json ? "application/json" : "application/x-www-form-urlencoded"}};
    if (json) req.headers.emplace_back("X-CSRF-Token", who.csrf);
    auto m = router.match(req.method, req.path);
    REQUIRE(m.route);
    for (auto& [k, v] : m.params) req.path_params.emplace(k, v);
    return m.route->handler(req);
  };
  struct Case {
    const char* method;
    const char* path;
    const char* body;
    bool json;
  };
  const std::vector<Case> sensitive = {
      {"POST", "/account/tokens", "name=t&scope=read&expires_in_days=0", false},
      {"POST", "/account/mfa/start", "", false},
      {"POST", "/account/mfa/backup-codes", "", false},
      {"POST", "/users/2/role", "role=admin", false},
      {"POST", "/users/2/reset-link", "", false},
      {"POST", "/users/2/reset-mfa", "", false},
      {"POST", "/users/invite", "email=new%40example.com&role=admin", false},
      {"POST", "/settings/mfa", "require_mfa=false", false},
      {"POST", "/settings/guardrails", "requests_default=off&responses_default=off", false},
      {"POST", "/settings/key-rotation", "key_max_age_days=90", false},
      {"POST", "/api/v1/invites", R"({"email":"new@example.com","role":"admin"})", true},
      {"PATCH", "/api/v1/settings", R"({"require_mfa":false})", true},
      {"PUT", "/api/v1/guardrails", R"({"requests":"off"})", true},
      {"POST", "/api/v1/me/tokens", R"({"name":"t","scope":"read"})", true},
      {"POST", "/api/v1/me/mfa/enrolment", "", true},
      {"POST", "/api/v1/me/mfa/backup-codes", "", true},
      {"PATCH", "/api/v1/users/2", R"({"role":"admin"})", true},
      {"POST", "/api/v1/users/2/password-reset", "", true},
      {"POST", "/api/v1/users/2/reset-mfa", "", true},
  };
  f.clock.advance(std::chrono::seconds(301));
  for (const auto& c : sensitive) {
    INFO(c.method << " " << c.path);
    auto r = send(c.method, c.path, c.body, c.json);
    CHECK(r.status == 403);
    if (c.json) CHECK(r.body.find("\"step_up_required\"") != std::string::npos);
    else CHECK(r.body.find("Confirm it is you") != std::string::npos);
  }
  // Nothing happened meanwhile: the viewer is still a viewer.
  REQUIRE(f.db->view([&](store::Tx& tx) {
    CHECK(store::users::find_by_id(tx, core::UserId(2))->role == identity::Role::kViewer);
    return core::Status::ok();
  }));
  // The owner has an authenticator (owners must). A wrong password does not open the window, nor
  // the password without the code; both together do, for five minutes.
  auto enrolment = identity::begin_totp_enrolment(f.d(), core::UserId(1), core::SessionId(1), {"192.0.2.1", "t", "r"});
  REQUIRE(enrolment);
  auto secret = *identity::base32_decode(enrolment->secret_base32);
  REQUIRE(identity::confirm_totp_enrolment(f.d(), core::UserId(1), core::SessionId(1), identity::totp_at(secret, f.d().now_s()),
                                           {"192.0.2.1", "t", "r"}));
  f.clock.advance(std::chrono::seconds(30));
  CHECK(send("POST", "/account/confirm", "password=nope&next=/users", false).status == 422);
  CHECK(send("POST", "/account/confirm", "password=a+long+enough+passphrase&next=/users", false).status == 422);
  CHECK(send("POST", "/account/tokens", "name=t&scope=read&expires_in_days=0", false).status == 403);
  auto confirmed = send("POST", "/account/confirm",
                        "password=a+long+enough+passphrase&next=/users&code=" + identity::totp_at(secret, f.d().now_s()),
                        false);
  CHECK(confirmed.status == 303);
  CHECK(send("POST", "/users/2/role", "role=admin", false).status == 303);
  // Past the step-up (the fixture has no token pepper, so the token itself is then refused).
  CHECK(send("POST", "/account/tokens", "name=t&scope=read&expires_in_days=0", false).status == 422);
  f.clock.advance(std::chrono::seconds(301));
  CHECK(send("POST", "/api/v1/me/tokens", R"({"name":"u","scope":"read"})", true).status == 403);
}
