// Gateway-key rotation on the real server: the CLI, the management API and the console issue a new
// secret for the same key; the old one works for the grace and not after it. The server runs as
// `airlock_faults` (the shipped program plus test hooks) so the test moves its clock by writing
// AIRLOCK_TEST_CLOCK_FILE instead of sleeping.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

struct Rotating {
  TempDir clock_dir;
  std::string clock_file = clock_dir / "skew";
  std::unique_ptr<Gateway> g;

  Rotating() {
    write_file(clock_file, "0");
    g = std::make_unique<Gateway>(kMockProvision, Env{{"AIRLOCK_TEST_BINARY", test_bin("airlock_faults")},
                                                      {"AIRLOCK_TEST_CLOCK_FILE", clock_file}});
  }
  // The server's system clock runs `seconds` ahead of the real one from the next read on.
  void skew(long long seconds) { write_file(clock_file, std::to_string(seconds)); }
  int chat(const std::string& key) { return airlock::testing::chat(g->airlock->port(), key, "gpt-test").status; }
  RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), airlock_bin());
    return run_program(args, {{"AIRLOCK_DATA_DIR", g->dir / "data"}});
  }
  // The host command on the server's (moved) clock.
  RunResult cli_skewed(std::vector<std::string> args) {
    args.insert(args.begin(), test_bin("airlock_faults"));
    return run_program(args, {{"AIRLOCK_DATA_DIR", g->dir / "data"}, {"AIRLOCK_TEST_CLOCK_FILE", clock_file}});
  }
};

std::string code_of(const HttpReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

Api caller(Browser& b) {
  Api c{b.port, b.origin, "", b.cookie, ""};
  c.csrf = json::parse(c.call("GET", "/api/v1/me").body)["csrf_token"];
  return c;
}

}  // namespace

TEST_CASE("airlock key rotate: the old secret works during the grace and not after it, on the server's clock",
          "[integration][gateway][rotation][V11.4.2]") {
  Rotating r;
  auto key = r.g->key({"--rpm=1000"});
  REQUIRE(r.chat(key) == 200);

  auto rotated = r.cli({"key", "rotate", "1", "--grace=24h"});
  INFO(rotated.err);
  REQUIRE(rotated.exit_code == 0);
  std::string fresh = rotated.out.substr(0, rotated.out.find('\n'));
  REQUIRE(std::regex_match(fresh, std::regex("alk_[a-z0-9]{8}_[A-Za-z0-9]{43}")));
  CHECK(fresh.substr(0, 12) == key.substr(0, 12));  // the same key: same public id
  CHECK(rotated.err.find("the old secret works until") != std::string::npos);
  CHECK(r.chat(fresh) == 200);
  CHECK(r.chat(key) == 200);
  CHECK(r.cli({"key", "list"}).out.find("old one until") != std::string::npos);

  // A minute before the grace ends (the test takes far less than that), then a second after it.
  r.skew(86400 - 60);
  CHECK(r.chat(key) == 200);
  r.skew(86400 + 1);
  auto late = airlock::testing::chat(r.g->airlock->port(), key, "gpt-test");
  CHECK(late.status == 401);
  CHECK(error_code(late) == "invalid_api_key");  // the same answer any wrong key gets
  CHECK(r.chat(fresh) == 200);
  CHECK(r.cli_skewed({"key", "list"}).out.find("old one until") == std::string::npos);

  // Bad input on the host: a clear message, nothing changed.
  auto too_long = r.cli({"key", "rotate", "1", "--grace=31d"});
  CHECK(too_long.exit_code == 2);
  CHECK(too_long.err.find("30d") != std::string::npos);
  CHECK(r.cli({"key", "rotate", "x"}).exit_code == 2);
  CHECK(r.cli({"key", "rotate", "99"}).exit_code == 2);
  CHECK(r.chat(fresh) == 200);

  // Without a grace the old secret stops at once; end-grace stops one early.
  auto now_only = r.cli({"key", "rotate", "1"});
  REQUIRE(now_only.exit_code == 0);
  std::string third = now_only.out.substr(0, now_only.out.find('\n'));
  CHECK(r.chat(fresh) == 401);
  CHECK(r.chat(third) == 200);
  auto graced = r.cli({"key", "rotate", "1", "--grace=7d"});
  REQUIRE(graced.exit_code == 0);
  CHECK(r.chat(third) == 200);
  auto ended = r.cli({"key", "end-grace", "1"});
  CHECK(ended.exit_code == 0);
  CHECK(r.chat(third) == 401);
  CHECK(r.cli({"key", "end-grace", "1"}).exit_code == 2);  // none running any more
}

TEST_CASE("rotation through the API and the console: editors rotate, tokens cannot mint, the refusal is audited",
          "[integration][gateway][rotation][console][V11.4.2][V16.3.2]") {
  Rotating r;
  auto& a = *r.g->airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = caller(ob);
  auto made = owner.call("POST", "/api/v1/keys", R"({"name":"app","rpm":500,"expires_in_days":0})");
  REQUIRE(made.status == 201);
  std::string key = json::parse(made.body)["key"];
  std::string id = std::to_string(json::parse(made.body)["id"].get<int>());
  // Tokens made now keep working after the clock moves (console sessions would time out).
  auto tok = owner.call("POST", "/api/v1/me/tokens", R"({"name":"t","scope":"read_write","expires_in_days":30})");
  REQUIRE(tok.status == 201);
  Api bot{a.port(), "", json::parse(tok.body)["token"], "", ""};

  CHECK(code_of(bot.call("POST", "/api/v1/keys/" + id + "/rotate", R"({"grace_seconds":60})")) == "session_required");
  CHECK(code_of(owner.call("POST", "/api/v1/keys/" + id + "/rotate", R"({"grace_seconds":2592001})")) == "invalid_fields");
  CHECK(code_of(owner.call("POST", "/api/v1/keys/" + id + "/rotate", R"({"grace_seconds":"1h"})")) == "invalid_fields");
  CHECK(owner.call("POST", "/api/v1/keys/999/rotate", "{}").status == 404);
  REQUIRE(r.chat(key) == 200);

  auto rot = owner.call("POST", "/api/v1/keys/" + id + "/rotate", R"({"grace_seconds":3600})");
  REQUIRE(rot.status == 200);
  auto body = json::parse(rot.body);
  std::string fresh = body["key"];
  CHECK(body["limits"]["rpm"] == 500);  // limits stay
  CHECK(body["previous_secret_valid_until"].is_string());
  CHECK(r.chat(fresh) == 200);
  CHECK(r.chat(key) == 200);
  auto listed = json::parse(bot.call("GET", "/api/v1/keys").body)["data"];
  CHECK(listed[0]["previous_secret_valid_until"].is_string());
  CHECK(listed.dump().find(fresh.substr(13)) == std::string::npos);  // never shown twice
  r.skew(3600 - 60);
  CHECK(r.chat(key) == 200);
  r.skew(3600 + 1);
  CHECK(r.chat(key) == 401);
  CHECK(r.chat(fresh) == 200);

  // Both the rotation and the refusal of the old secret are in the audit log, without secrets.
  auto audit = bot.call("GET", "/api/v1/audit?action=gateway_key.rotate");
  REQUIRE(audit.status == 200);
  CHECK(json::parse(audit.body)["data"].size() == 1);
  json denied;
  for (int i = 0; i < 100; ++i) {  // denials are written off the request path
    denied = json::parse(bot.call("GET", "/api/v1/audit?action=authz.denied").body)["data"];
    if (!denied.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(denied.size() == 1);
  CHECK(denied[0].dump().find("rotated_secret") != std::string::npos);
  for (const auto& text : {audit.body, denied.dump()}) {
    CHECK(text.find(key.substr(13)) == std::string::npos);
    CHECK(text.find(fresh.substr(13)) == std::string::npos);
  }

  // A max-age policy marks the key due in the API and the metrics once its secret is that old.
  r.skew(0);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  owner = caller(ob);
  auto policy = owner.call("PATCH", "/api/v1/settings", R"({"key_max_age_days":1})");
  REQUIRE(policy.status == 200);
  CHECK(json::parse(policy.body)["key_max_age_days"] == 1);
  CHECK(code_of(owner.call("PATCH", "/api/v1/settings", R"({"key_max_age_days":3651})")) == "invalid_fields");
  CHECK(json::parse(bot.call("GET", "/api/v1/keys").body)["data"][0]["rotation_due"] == false);
  CHECK(bot.call("GET", "/api/v1/metrics").body.find("airlock_gateway_keys_rotation_due 0\n") != std::string::npos);
  r.skew(86400 + 60);
  CHECK(json::parse(bot.call("GET", "/api/v1/keys").body)["data"][0]["rotation_due"] == true);
  CHECK(bot.call("GET", "/api/v1/metrics").body.find("airlock_gateway_keys_rotation_due 1\n") != std::string::npos);
  CHECK(r.chat(fresh) == 200);  // due is a warning, never a refusal

  // The console: an editor's page has the rotate form; rotating shows the new secret once.
  r.skew(0);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto page = ob.get("/keys");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("action=\"/keys/" + id + "/rotate\"") != std::string::npos);
  CHECK(page.body.find("rotation-due") == std::string::npos);
  auto csrf = field(page.body, "csrf");
  CHECK(ob.post("/keys/" + id + "/rotate", {{"csrf", csrf}, {"grace", "12"}}).status == 422);
  auto shown = ob.post("/keys/" + id + "/rotate", {{"csrf", csrf}, {"grace", "0"}});
  REQUIRE(shown.status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(shown.body, m, std::regex("id=\"new-key\">(alk_[a-z0-9]{8}_[A-Za-z0-9]{43})<")));
  std::string console_key = m[1];
  CHECK(shown.body.find("The old secret no longer works") != std::string::npos);
  CHECK(r.chat(console_key) == 200);
  CHECK(r.chat(fresh) == 401);
  CHECK(ob.get("/keys").body.find(console_key.substr(13)) == std::string::npos);
}
