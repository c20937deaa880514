// Gateway keys, models and usage in the console and the management API, with the role rules.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

Api caller(Browser& b) {
  Api c{b.port, b.origin, "", b.cookie, ""};
  c.csrf = json::parse(c.call("GET", "/api/v1/me").body)["csrf_token"];
  return c;
}

std::string code_of(const HttpReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

// Invites `email` with `role` through the owner's session and signs them in.
Browser invited(Airlock& a, const Api& owner, const std::string& email, const std::string& role) {
  auto inv = owner.call("POST", "/api/v1/invites", json{{"email", email}, {"role", role}}.dump());
  REQUIRE(inv.status == 201);
  std::string url = json::parse(inv.body)["invite_url"];
  Browser b = browser_for(a);
  const std::string pw = "lantern harbour quietly glows";
  REQUIRE(accept_invite_link(b, url, pw).status == 303);
  REQUIRE(sign_in(b, email, pw).status == 303);
  return b;
}

}  // namespace

TEST_CASE("gateway keys through the API and console: editors manage, viewers read, tokens cannot mint",
          "[integration][gateway][console][V8.2.1]") {
  Gateway g(kMockProvision);
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = caller(ob);
  auto vb = invited(a, owner, "viewer@example.com", "viewer");
  auto viewer = caller(vb);
  auto eb = invited(a, owner, "editor@example.com", "editor");
  auto editor = caller(eb);

  // An editor creates a key; it is shown once and works at /v1 at once.
  auto made = editor.call("POST", "/api/v1/keys",
                          R"({"name":"app","models":["gpt-test"],"rpm":100,"expires_in_days":30,"ip_allowlist":["127.0.0.0/8"]})");
  REQUIRE(made.status == 201);
  auto created = json::parse(made.body);
  std::string key = created["key"];
  CHECK(created["limits"]["rpm"] == 100);
  CHECK(created["models"] == json::array({"gpt-test"}));
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[]})").status == 200);
  auto listed = viewer.call("GET", "/api/v1/keys");
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find(key.substr(13)) == std::string::npos);
  CHECK(json::parse(listed.body)["data"][0]["prefix"] == key.substr(0, 12));

  // A key's guardrail override can loosen the owners' policy: editors may not set one, admins and
  // owners may, and a bad one is a clear 422.
  CHECK(created["guardrails"] == "inherit");
  auto loosen = editor.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0,"guardrails":"off"})");
  CHECK(loosen.status == 403);
  CHECK(code_of(loosen) == "admin_only");
  auto edit_loose = editor.call("PATCH", "/api/v1/keys/" + std::to_string(created["id"].get<int>()), R"({"guardrails":"off"})");
  CHECK(code_of(edit_loose) == "admin_only");
  auto strict = owner.call("POST", "/api/v1/keys", R"({"name":"public app","expires_in_days":0,"guardrails":"requests=block,responses=mask"})");
  REQUIRE(strict.status == 201);
  CHECK(json::parse(strict.body)["guardrails"] == "requests=block,responses=mask");
  auto strict_id = std::to_string(json::parse(strict.body)["id"].get<int>());
  CHECK(code_of(owner.call("PATCH", "/api/v1/keys/" + strict_id, R"({"guardrails":"scrub"})")) == "key_guardrails_invalid");
  auto relaxed = owner.call("PATCH", "/api/v1/keys/" + strict_id, R"({"guardrails":"inherit"})");
  REQUIRE(relaxed.status == 200);
  CHECK(json::parse(relaxed.body)["guardrails"] == "inherit");

  // Viewers read only; a token cannot mint keys; bad input is a clear 422.
  auto viewer_make = viewer.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0})");
  CHECK(viewer_make.status == 403);
  auto tok = owner.call("POST", "/api/v1/me/tokens", R"({"name":"t","scope":"read_write","expires_in_days":1})");
  REQUIRE(tok.status == 201);
  Api bot{a.port(), "", json::parse(tok.body)["token"], "", ""};
  auto minted = bot.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0})");
  CHECK(minted.status == 403);
  CHECK(code_of(minted) == "session_required");
  CHECK(code_of(editor.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0,"scopes":["admin"]})")) == "key_scope_invalid");
  CHECK(code_of(editor.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0,"rpm":0})")) == "invalid_fields");
  CHECK(code_of(editor.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0,"models":"gpt-test"})")) == "invalid_fields");
  CHECK(code_of(editor.call("POST", "/api/v1/keys", R"({"name":"x","expires_in_days":0,"ip_allowlist":["10.0.0.1/8"]})")) == "key_cidr_invalid");

  // Limit changes hold from the next request; so does revocation. A token may do both.
  std::string id = std::to_string(created["id"].get<std::int64_t>());
  auto changed = bot.call("PATCH", "/api/v1/keys/" + id, R"({"rpm":1})");
  REQUIRE(changed.status == 200);
  // One request already sits in this minute's window: the new limit of 1 refuses the next one.
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[]})").status == 429);
  CHECK(bot.call("PATCH", "/api/v1/keys/" + id, R"({"enabled":false})").status == 200);
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[]})").status == 401);
  CHECK(viewer.call("DELETE", "/api/v1/keys/" + id).status == 403);
  CHECK(editor.call("DELETE", "/api/v1/keys/" + id).status == 204);
  CHECK(editor.call("DELETE", "/api/v1/keys/" + id).status == 404);
  auto audit = owner.call("GET", "/api/v1/audit?action=gateway_key.");
  auto events = json::parse(audit.body)["data"];
  CHECK(events.size() == 6);  // create ×2, update ×3 (one the guardrail override), revoke
  CHECK(audit.body.find(key.substr(13)) == std::string::npos);

  // The console: the new key shown once on its page, the list with the prefix only.
  auto page = eb.get("/keys");
  REQUIRE(page.status == 200);
  auto csrf = field(page.body, "csrf");
  auto form = eb.post("/keys", {{"csrf", csrf}, {"name", "=HYPERLINK(\"x\")"}, {"models", "gpt-test, claude-test"},
                                {"scope_chat", "on"}, {"scope_models", "on"}, {"rpm", "5"}, {"expires_in_days", ""}});
  REQUIRE(form.status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(form.body, m, std::regex("id=\"new-key\">(alk_[a-z0-9]{8}_[A-Za-z0-9]{43})<")));
  std::string console_key = m[1];
  CHECK(g.post("/v1/messages", console_key, R"({"model":"claude-test","max_tokens":5,"messages":[]})").status == 200);
  auto list_page = vb.get("/keys");
  CHECK(list_page.body.find(console_key.substr(13)) == std::string::npos);
  CHECK(list_page.body.find(console_key.substr(0, 12)) != std::string::npos);
  CHECK(list_page.body.find("action=\"/keys\"") == std::string::npos);  // viewers get no form
  CHECK(vb.post("/keys", {{"csrf", field(list_page.body, "csrf")}, {"name", "v"}}).status == 403);
  auto bad = eb.post("/keys", {{"csrf", csrf}, {"name", "x"}, {"rpm", "-3"}});
  CHECK(bad.status == 422);

  // Models page and providers API: no vendor key anywhere, only its hint.
  auto models = vb.get("/models");
  REQUIRE(models.status == 200);
  CHECK(models.body.find("gpt-test") != std::string::npos);
  auto providers = viewer.call("GET", "/api/v1/providers");
  REQUIRE(providers.status == 200);
  for (const auto& body : {models.body, providers.body, list_page.body}) CHECK(body.find(kVendorKey) == std::string::npos);
  CHECK(providers.body.find(std::string("…") + std::string(kVendorKey).substr(std::string(kVendorKey).size() - 4)) != std::string::npos);

  // Usage: the dashboard, the JSON and the CSV see the requests above (the writer runs in batches).
  json usage;
  for (int i = 0; i < 100; ++i) {
    usage = json::parse(viewer.call("GET", "/api/v1/usage?range=24h").body);
    if (usage["total"]["requests"].get<int>() >= 3) break;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(usage["total"]["requests"] == 3);  // 2 answered, 1 rate limited; a refused key leaves no usage row
  CHECK(usage["total"]["errors"] == 1);
  CHECK(usage["series"].size() == 24);
  bool saw_model = false;
  for (const auto& mdl : usage["by_model"]) saw_model = saw_model || mdl["name"] == "gpt-test";
  CHECK(saw_model);
  auto dash = vb.get("/usage?range=7d");
  REQUIRE(dash.status == 200);
  CHECK(dash.body.find("<svg class=\"chart\"") != std::string::npos);
  CHECK(vb.get("/usage?range=1y").status == 400);
  auto csv = vb.get("/usage.csv?range=24h");
  REQUIRE(csv.status == 200);
  CHECK(csv.headers.at("content-disposition").find("attachment") == 0);
  CHECK(csv.headers.at("content-type").find("text/csv") == 0);
  CHECK(csv.body.find("'=HYPERLINK") != std::string::npos);  // a formula is never a formula in a spreadsheet
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 4);  // header + 3 rows
}

TEST_CASE("providers (admins) and models (editors) through the API take effect on the next request",
          "[integration][gateway][console][catalog]") {
  Gateway g(kMockProvision, {{"AIRLOCK_EGRESS_ALLOW", "127.0.0.1"}});  // the operator opens the mock vendor
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = caller(ob);
  auto eb = invited(a, owner, "editor@example.com", "editor");
  auto editor = caller(eb);
  auto key = g.key();
  const std::string first_key = "sk-live-provider-key-AAAA1111";

  json provider = {{"name", "live"}, {"type", "openai"}, {"base_url", g.mock->base("/v1")},
                   {"api_key", first_key}, {"timeouts", {{"first_byte_ms", 5000}}}};
  CHECK(editor.call("POST", "/api/v1/providers", provider.dump()).status == 403);
  auto made = owner.call("POST", "/api/v1/providers", provider.dump());
  REQUIRE(made.status == 201);
  auto p = json::parse(made.body);
  CHECK(p["api_key"] == "…1111");
  CHECK(made.body.find(first_key) == std::string::npos);
  CHECK(p["provisioned"] == false);
  CHECK(owner.call("POST", "/api/v1/providers", provider.dump()).status == 409);  // name taken
  auto bad = owner.call("POST", "/api/v1/providers",
                        json{{"name", "x"}, {"type", "openai"}, {"base_url", "http://user:pw@example.com/v1"}}.dump());
  CHECK(bad.status == 422);
  CHECK(bad.body.find("must not contain credentials") != std::string::npos);

  // An editor routes a model to it; it serves at once, with the provider's key.
  auto model = editor.call("POST", "/api/v1/models",
                           R"({"name":"live-model","targets":[{"provider":"live","model":"live-upstream"}]})");
  REQUIRE(model.status == 201);
  CHECK(editor.call("POST", "/api/v1/models", R"({"name":"x","targets":[{"provider":"nope","model":"y"}]})").status == 422);
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"live-model","messages":[]})").status == 200);
  CHECK(g.mock->requests().back()["headers"]["authorization"] == "Bearer " + first_key);

  // Key rotation holds from the next request; the file's providers stay read-only.
  std::string id = std::to_string(p["id"].get<std::int64_t>());
  REQUIRE(owner.call("PATCH", "/api/v1/providers/" + id, R"({"api_key":"sk-rotated-key-BBBB2222"})").status == 200);
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"live-model","messages":[]})").status == 200);
  CHECK(g.mock->requests().back()["headers"]["authorization"] == "Bearer sk-rotated-key-BBBB2222");
  // Pointing the stored key at another host needs the key itself again: an admin cannot send it
  // to a host of theirs. Nothing changes on the refusal.
  auto moved = owner.call("PATCH", "/api/v1/providers/" + id, json{{"base_url", "https://collector.example/v1"}}.dump());
  CHECK(moved.status == 422);
  CHECK(code_of(moved) == "key_required");
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"live-model","messages":[]})").status == 200);
  CHECK(g.mock->requests().back()["headers"]["authorization"] == "Bearer sk-rotated-key-BBBB2222");
  auto providers = json::parse(owner.call("GET", "/api/v1/providers").body)["data"];
  std::string mock_id;
  for (const auto& pr : providers)
    if (pr["name"] == "mock") mock_id = std::to_string(pr["id"].get<std::int64_t>());
  auto provisioned = owner.call("PATCH", "/api/v1/providers/" + mock_id, R"({"enabled":false})");
  CHECK(provisioned.status == 409);
  CHECK(code_of(provisioned) == "provisioned");

  // Deleting the model ends it on the next request.
  auto models = json::parse(editor.call("GET", "/api/v1/models").body)["data"];
  std::string model_id;
  for (const auto& m : models)
    if (m["name"] == "live-model") model_id = std::to_string(m["id"].get<std::int64_t>());
  REQUIRE(!model_id.empty());
  CHECK(editor.call("DELETE", "/api/v1/models/" + model_id).status == 204);
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"live-model","messages":[]})").status == 404);

  auto audit = owner.call("GET", "/api/v1/audit?action=provider.");
  CHECK(json::parse(audit.body)["data"].size() == 2);
  for (const auto& line : a.log_lines()) CHECK(line.find("sk-rotated-key") == std::string::npos);
  CHECK(audit.body.find("sk-rotated-key") == std::string::npos);
}

TEST_CASE("metrics: a viewer's read token scrapes circuit state, in-flight requests and usage counters",
          "[integration][gateway][metrics]") {
  Gateway g(kMockProvision);
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = caller(ob);
  auto vb = invited(a, owner, "viewer@example.com", "viewer");
  auto viewer = caller(vb);
  auto made = viewer.call("POST", "/api/v1/me/tokens", R"({"name":"prometheus","scope":"read","expires_in_days":0})");
  REQUIRE(made.status == 201);
  Api scraper{a.port(), "", json::parse(made.body)["token"], "", ""};

  auto key = g.key();
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[]})").status == 200);
  for (int i = 0; i < 5; ++i)  // the dead provider's breaker opens after 5 failures
    CHECK(g.post("/v1/chat/completions", key, R"({"model":"only-dead","messages":[]})").status == 502);

  auto m = scraper.call("GET", "/api/v1/metrics");
  INFO(m.body);
  REQUIRE(m.status == 200);
  CHECK(m.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(m.body.find("airlock_provider_circuit_open{provider=\"dead\",state=\"open\"} 1\n") != std::string::npos);
  CHECK(m.body.find("airlock_provider_circuit_open{provider=\"mock\",state=\"closed\"} 0\n") != std::string::npos);
  CHECK(m.body.find("airlock_provider_in_flight{provider=\"mock\"} 0\n") != std::string::npos);
  CHECK(m.body.find("# TYPE airlock_usage_records_dropped_total counter\n") != std::string::npos);
  // Without a credential: refused, and nothing about the providers leaks.
  auto anon = https_request(a.port(), "GET", "/api/v1/metrics");
  CHECK(anon.status == 401);
  CHECK(anon.body.find("airlock_") == std::string::npos);
}

TEST_CASE("moving a provider's stored key to another place needs a step-up and the key itself again",
          "[integration][gateway][console][catalog][step_up][V7.5.1]") {
  Gateway g(kMockProvision, {{"AIRLOCK_EGRESS_ALLOW", "127.0.0.1"}});  // the operator opens the mock vendor
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = caller(ob);
  const std::string vendor_key = "sk-moving-provider-key-CCCC3333";
  auto made = owner.call("POST", "/api/v1/providers",
                         json{{"name", "moving"}, {"type", "openai"}, {"base_url", g.mock->base("/v1")},
                              {"api_key", vendor_key}}.dump());
  REQUIRE(made.status == 201);
  std::string path = "/api/v1/providers/" + std::to_string(json::parse(made.body)["id"].get<std::int64_t>());

  // A session the password alone made (a password change renews it): not stepped up.
  auto changed = owner.call("POST", "/api/v1/me/password",
                            json{{"current_password", kConsolePassword}, {"new_password", "a brand new passphrase"}}.dump());
  REQUIRE(changed.status == 200);
  auto cookie = changed.headers.at("set-cookie");
  Api renewed{owner.port, owner.origin, "", cookie.substr(0, cookie.find(';')), json::parse(changed.body)["csrf_token"]};
  // Changes that leave the key where it is need no step-up.
  CHECK(renewed.call("PATCH", path, R"({"max_concurrent":8})").status == 200);
  // base_url, internal, CA: each a move, with or without the key, refused until the session confirms.
  const json moves[] = {{{"base_url", "https://collector.example/v1"}},
                        {{"base_url", "https://collector.example/v1"}, {"api_key", "sk-attacker-chosen-0000"}},
                        {{"base_url", "https://collector.example/v1"}, {"internal", false}},
                        {{"ca_pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}}};
  for (const auto& move : moves) {
    auto r = renewed.call("PATCH", path, move.dump());
    INFO(move.dump());
    CHECK(r.status == 403);
    CHECK(code_of(r) == "step_up_required");
  }
  auto providers = json::parse(renewed.call("GET", "/api/v1/providers").body)["data"];
  for (const auto& p : providers)
    if (p["name"] == "moving") {
      CHECK(p["base_url"] == g.mock->base("/v1"));
      CHECK(p["internal"] == false);
      CHECK(p["api_key"] == "…3333");
    }

  // Confirmed: the move still needs the key itself (the sealed one is bound to its origin).
  auto& factor = known_factors().at({a.port(), "owner@example.com"});
  auto code = factor.backup.back();
  factor.backup.pop_back();
  REQUIRE(renewed.call("POST", "/api/v1/me/confirm", json{{"password", "a brand new passphrase"}, {"code", code}}.dump())
              .status == 204);
  auto keyless = renewed.call("PATCH", path, R"({"base_url":"https://collector.example/v1","internal":false})");
  CHECK(keyless.status == 422);
  CHECK(code_of(keyless) == "key_required");
  auto with_key = renewed.call("PATCH", path, json{{"base_url", g.mock->base("/v2")}, {"api_key", vendor_key}}.dump());
  CHECK(with_key.status == 200);
  auto audit = json::parse(renewed.call("GET", "/api/v1/audit?action=session.step_up").body)["data"];
  CHECK(audit.size() == 1);
}
