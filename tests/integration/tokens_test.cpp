// Personal access tokens for the management API, on the real binary over TLS.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

HttpReply api(int port, const std::string& method, const std::string& path, const std::string& auth) {
  std::map<std::string, std::string> h;
  if (!auth.empty()) h["Authorization"] = auth;
  return https_request(port, method, path, h);
}

std::string create_token(Browser& b, const std::string& scope) {
  auto csrf = field(b.get("/account").body, "csrf");
  auto made = b.post("/account/tokens", {{"csrf", csrf}, {"name", "ci " + scope}, {"scope", scope}, {"expires_in_days", "30"}});
  REQUIRE(made.status == 200);
  std::smatch m;
  REQUIRE(std::regex_search(made.body, m, std::regex("id=\"new-token\">(alk_pat_[a-z0-9]{8}_[A-Za-z0-9_-]{43})<")));
  return m[1];
}

}  // namespace

TEST_CASE("an access token reaches the API within its scope and dies with revocation and password change",
          "[integration][tokens][V8.2.1][V7.4.3]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto b = owner_browser(*a);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  auto read = create_token(b, "read");
  auto write = create_token(b, "read_write");

  auto me = api(a->port(), "GET", "/api/v1/me", "Bearer " + read);
  REQUIRE(me.status == 200);
  auto j = json::parse(me.body);
  CHECK(j["email"] == "owner@example.com");
  CHECK(j["authenticated_by"] == "access_token");
  CHECK(j["token_scope"] == "read");
  CHECK(api(a->port(), "GET", "/api/v1/audit?action=token.", "Bearer " + read).status == 200);

  // Shown once: the account page lists only the prefix.
  auto page = b.get("/account").body;
  CHECK(page.find(read) == std::string::npos);
  CHECK(page.find(read.substr(0, 16) + "_…") != std::string::npos);

  // Refusals, each with the JSON error shape.
  for (const std::string& bad : {std::string("Bearer ") + read.substr(0, read.size() - 1) + "x",
                                 std::string("Bearer alk_pat_zzzzzzzz_") + std::string(43, 'A'), std::string("Bearer "),
                                 std::string("Basic b3duZXI6cGFzcw=="), std::string("bearer ") + read}) {
    INFO(bad);
    auto r = api(a->port(), "GET", "/api/v1/me", bad);
    CHECK(r.status == 401);
    CHECK(json::parse(r.body)["error"]["code"].is_string());
  }
  // A read token may not change anything; pages never accept tokens.
  auto post = https_request(a->port(), "POST", "/api/v1/me", {{"Authorization", "Bearer " + read}}, "{}");
  CHECK((post.status == 403 || post.status == 405));
  CHECK(https_request(a->port(), "GET", "/account", {{"Authorization", "Bearer " + write}}).status == 303);
  // A token cannot mint tokens: creating one needs the signed-in session (sent to sign in).
  auto mint = https_request(a->port(), "POST", "/account/tokens", {{"Authorization", "Bearer " + write}}, "name=x");
  CHECK(mint.status == 303);
  CHECK(mint.headers.at("location") == "/login");

  // Revocation is effective on the next request.
  auto csrf = field(b.get("/account").body, "csrf");
  std::smatch m;
  auto account = b.get("/account").body;
  REQUIRE(std::regex_search(account, m, std::regex("/account/tokens/([0-9]+)/revoke")));
  REQUIRE(b.post("/account/tokens/" + m[1].str() + "/revoke", {{"csrf", csrf}}).status == 303);
  int alive = 0;
  for (const auto& t : {read, write}) alive += api(a->port(), "GET", "/api/v1/me", "Bearer " + t).status == 200 ? 1 : 0;
  CHECK(alive == 1);

  // A password change ends every token of the user.
  csrf = field(b.get("/account").body, "csrf");
  auto changed = b.post("/account/password", {{"csrf", csrf}, {"current", kConsolePassword},
                                               {"new", "a different long passphrase"}, {"new2", "a different long passphrase"}});
  REQUIRE(changed.status == 303);
  CHECK(api(a->port(), "GET", "/api/v1/me", "Bearer " + read).status == 401);
  CHECK(api(a->port(), "GET", "/api/v1/me", "Bearer " + write).status == 401);
  CHECK(b.get("/account").status == 200);  // the browser that changed it got a fresh session
}
