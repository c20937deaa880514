// Failed authorization attempts in the audit trail, on the real binary (ASVS V16.3.2; CSRF
// refusals V16.3.3): who, which route pattern, why; and at most 10 events per actor and minute.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

constexpr const char* kEditorPassword = "a different long passphrase";
constexpr const char* kChat = R"({"model":"gpt-test","messages":[{"role":"user","content":"hi"}]})";

std::string invite_link(const std::string& html) {
  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex("id=\"invite-link\">(https://[^<]+/invite\\?token=[A-Za-z0-9_-]{43})<")));
  return m[1];
}

json audit(Browser& owner, const std::string& query) {
  auto r = owner.get("/api/v1/audit?limit=200&" + query);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return json::parse(r.body)["data"];
}

// Denials are written off the request path; wait until `n` have committed.
json wait_audit(Browser& owner, const std::string& query, std::size_t n) {
  json rows;
  for (int i = 0; i < 100; ++i) {
    rows = audit(owner, query);
    if (rows.size() >= n) break;
    std::this_thread::sleep_for(50ms);
  }
  return rows;
}

const json* with_reason(const json& rows, const std::string& reason, const std::string& target) {
  for (const auto& r : rows)
    if (r["details"].value("reason", "") == reason && r["target"] == target) return &r;
  return nullptr;
}

// The owner invites an editor, who joins and signs in.
Browser signed_in_editor(Airlock& a, Browser& owner) {
  auto csrf = field(owner.get("/users").body, "csrf");
  auto made = owner.post("/users/invite", {{"csrf", csrf}, {"email", "editor@example.com"}, {"role", "editor"}});
  REQUIRE(made.status == 200);
  Browser editor = browser_for(a);
  REQUIRE(accept_invite_link(editor, invite_link(made.body), kEditorPassword).status == 303);
  REQUIRE(sign_in(editor, "editor@example.com", kEditorPassword).status == 303);
  return editor;
}

}  // namespace

TEST_CASE("role and CSRF refusals are audited with actor, route pattern and reason",
          "[integration][denials][V16.3.2][V16.3.3]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_SETUP_RATE_LIMIT", "100"}, {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto owner = owner_browser(*a);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);
  auto editor = signed_in_editor(*a, owner);
  auto editor_csrf = field(editor.get("/").body, "csrf");

  // Role too low: a page and an action with an id in its path.
  CHECK(editor.get("/users").status == 403);
  CHECK(editor.post("/users/1/deactivate", {{"csrf", editor_csrf}}).status == 403);
  // CSRF: a wrong token, and a cross-site form (signed in), and a cross-site sign-in (anonymous).
  CHECK(editor.post("/keys", {{"csrf", "not-the-token"}, {"name", "x"}}).status == 403);
  CHECK(owner.post("/users/invite", {{"csrf", field(owner.get("/users").body, "csrf")}, {"email", "z@example.com"}},
                   "https://evil.example").status == 403);
  Browser stranger = browser_for(*a);
  CHECK(stranger.post("/login", {{"email", "owner@example.com"}, {"password", "x"}}, "https://evil.example").status ==
        403);

  auto rows = wait_audit(owner, "action=authz.denied", 5);
  REQUIRE(rows.size() == 5);
  for (const auto& r : rows) {
    CHECK(r["outcome"] == "denied");
    CHECK(r["ip"] == "127.0.0.1");
    CHECK(!r["request_id"].get<std::string>().empty());
  }
  auto* page = with_reason(rows, "forbidden", "/users");
  REQUIRE(page);
  CHECK((*page)["actor"] == "editor@example.com");
  CHECK((*page)["details"]["method"] == "GET");
  CHECK((*page)["details"]["actor_kind"] == "user");
  // The route pattern, never the raw path.
  auto* action = with_reason(rows, "forbidden", "/users/{user_id}/deactivate");
  REQUIRE(action);
  CHECK((*action)["actor"] == "editor@example.com");
  CHECK((*action)["details"]["method"] == "POST");
  auto* token = with_reason(rows, "csrf_failed", "/keys");
  REQUIRE(token);
  CHECK((*token)["actor"] == "editor@example.com");
  auto* cross = with_reason(rows, "csrf_failed", "/users/invite");
  REQUIRE(cross);
  CHECK((*cross)["actor"] == "owner@example.com");
  auto* anon = with_reason(rows, "csrf_failed", "/login");
  REQUIRE(anon);
  CHECK((*anon)["actor"] == "anonymous");
  CHECK((*anon)["details"]["actor_kind"] == "anonymous");
  CHECK((*anon)["details"]["actor_id"] == "127.0.0.1");
  // Object-level refusals stay with their handlers' own events: no second record from the guard.
  auto owner_csrf = field(owner.get("/users").body, "csrf");
  CHECK(owner.post("/users/1/role", {{"csrf", owner_csrf}, {"role", "editor"}}).status >= 400);
  CHECK(audit(owner, "action=user.role_change&outcome=denied").size() == 1);
  CHECK(audit(owner, "action=authz.denied&actor=owner@example.com").size() == 1);
}

TEST_CASE("one actor's denials flood nothing: 30 give exactly 10 events", "[integration][denials][V16.3.2]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_SETUP_RATE_LIMIT", "100"}, {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto owner = owner_browser(*a);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);
  auto editor = signed_in_editor(*a, owner);
  for (int i = 0; i < 30; ++i) REQUIRE(editor.get(i % 2 ? "/users" : "/audit").status == 403);
  // A write the owner waits for: the writer queue is FIFO, so every denial queued before it has
  // committed once it answers.
  auto csrf = field(owner.get("/users").body, "csrf");
  REQUIRE(owner.post("/users/invite", {{"csrf", csrf}, {"email", "v@example.com"}, {"role", "viewer"}}).status == 200);
  auto rows = audit(owner, "action=authz.&actor=editor@example.com");
  CHECK(rows.size() == 10);
  for (const auto& r : rows) CHECK(r["action"] == "authz.denied");
  // Another actor is not held back by the editor's flood.
  Browser stranger = browser_for(*a);
  CHECK(stranger.post("/login", {{"email", "x@example.com"}, {"password", "x"}}, "https://evil.example").status == 403);
  CHECK(wait_audit(owner, "action=authz.denied&actor=anonymous", 1).size() == 1);
}

TEST_CASE("a gateway key's refusals (model, scope, IP allowlist) are audited", "[integration][denials][gateway][V16.3.2]") {
  Gateway g(kMockProvision, {{"AIRLOCK_SETUP_RATE_LIMIT", "100"}, {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto owner = owner_browser(*g.airlock);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);
  auto narrow = g.key({"--models=gpt-test", "--scopes=chat"});
  auto elsewhere = g.key({"--ip=10.0.0.0/8"});
  auto ok = g.key();

  CHECK(g.post("/v1/chat/completions", narrow, R"({"model":"claude-test","messages":[]})").status == 403);
  CHECK(g.post("/v1/embeddings", narrow, R"({"model":"gpt-test","input":"x"})").status == 403);
  CHECK(g.post("/v1/chat/completions", elsewhere, kChat).status == 403);
  CHECK(g.get("/v1/models/gpt-test", narrow).status == 403);
  // Allowed requests and 401s (authentication, not authorization) leave no denial behind.
  CHECK(g.post("/v1/chat/completions", ok, kChat).status == 200);
  CHECK(g.post("/v1/chat/completions", "alk_abcdefgh_" + std::string(43, 'A'), kChat).status == 401);

  auto rows = wait_audit(owner, "action=authz.denied", 4);
  REQUIRE(rows.size() == 4);
  auto public_id = [](const std::string& key) { return key.substr(4, 8); };
  auto* model = with_reason(rows, "model_not_allowed", "/v1/chat/completions");
  REQUIRE(model);
  CHECK((*model)["actor"] == "key:test");
  CHECK((*model)["details"]["actor_kind"] == "key");
  CHECK((*model)["details"]["actor_id"] == public_id(narrow));
  auto* scope = with_reason(rows, "scope_not_allowed", "/v1/embeddings");
  REQUIRE(scope);
  CHECK((*scope)["details"]["actor_id"] == public_id(narrow));
  auto* models = with_reason(rows, "scope_not_allowed", "/v1/models/{model_id...}");
  REQUIRE(models);
  auto* ip = with_reason(rows, "ip_not_allowed", "/v1/chat/completions");
  REQUIRE(ip);
  CHECK((*ip)["actor"] == "key:test");
  CHECK((*ip)["details"]["actor_id"] == public_id(elsewhere));
  CHECK((*ip)["ip"] == "127.0.0.1");
  // No secret of any key made it into the trail.
  auto all = owner.get("/api/v1/audit?limit=200").body;
  for (const auto& k : {narrow, elsewhere, ok}) CHECK(all.find(k.substr(13)) == std::string::npos);
}
