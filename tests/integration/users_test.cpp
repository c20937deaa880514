// Users admin on the real binary over real TLS: an invite link passed on by hand, role limits,
// deactivation that holds from the next request, the last-owner rule, single-use links, unlock.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"
#include "support/harness.h"

using namespace airlock::testing;

namespace {

constexpr const char* kEditorPassword = "a different long passphrase";

// The invite link shown once on the page after POST /users/invite.
std::string invite_link(const std::string& html) {
  std::smatch m;
  REQUIRE(std::regex_search(html, m, std::regex("id=\"invite-link\">(https://[^<]+/invite\\?token=[A-Za-z0-9_-]{43})<")));
  return m[1];
}

}  // namespace

TEST_CASE("an invited editor joins by link, is kept out of users admin, and is cut off by deactivation",
          "[integration][users][V8.2.1][V7.4.2][V6.4.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_SETUP_RATE_LIMIT", "100"}, {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto owner = owner_browser(*a);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);
  auto users = owner.get("/users");
  REQUIRE(users.status == 200);
  auto csrf = field(users.body, "csrf");
  REQUIRE(csrf.size() == 43);

  // The owner invites; the link is shown once, on a no-store page, and appears in no log.
  auto made = owner.post("/users/invite", {{"csrf", csrf}, {"email", "Editor@Example.com"}, {"role", "editor"}});
  REQUIRE(made.status == 200);
  CHECK(made.headers.at("cache-control") == "no-store");
  auto link = invite_link(made.body);
  REQUIRE(link.rfind(owner.origin + "/invite?token=", 0) == 0);
  auto path = link.substr(owner.origin.size());
  auto token = path.substr(path.find('=') + 1);
  for (const auto& line : a->log_lines()) CHECK(line.find(token) == std::string::npos);

  // The invitee opens it and sets a password; the e-mail comes from the invite, not the form.
  Browser editor = browser_for(*a);
  auto form = open_link(editor, path);
  REQUIRE(form.status == 200);
  CHECK(form.body.find("editor@example.com") != std::string::npos);
  CHECK(editor.post("/invite", {{"token", token}, {"password", kEditorPassword}, {"password2", "something else entirely"}})
            .status == 422);
  auto joined = editor.post("/invite", {{"token", token},
                                        {"email", "someone-else@example.com"},
                                        {"password", kEditorPassword},
                                        {"password2", kEditorPassword}});
  REQUIRE(joined.status == 303);
  CHECK(joined.headers.at("location") == "/login?created=1");
  CHECK(sign_in(editor, "someone-else@example.com", kEditorPassword).status == 401);
  REQUIRE(sign_in(editor, "editor@example.com", kEditorPassword).status == 303);

  // An editor sees the console but not users admin, neither the page nor its actions.
  auto home = editor.get("/");
  REQUIRE(home.status == 200);
  CHECK(home.body.find("href=\"/users\"") == std::string::npos);
  CHECK(editor.get("/users").status == 403);
  auto editor_csrf = field(home.body, "csrf");
  CHECK(editor.post("/users/1/deactivate", {{"csrf", editor_csrf}}).status == 403);
  CHECK(editor.post("/users/invite", {{"csrf", editor_csrf}, {"email", "x@example.com"}, {"role", "viewer"}}).status ==
        403);

  // The link worked once.
  Browser stranger = browser_for(*a);
  CHECK(stranger.get(path).status == 404);
  CHECK(stranger.post("/invite", {{"token", token}, {"password", kEditorPassword}, {"password2", kEditorPassword}})
            .status == 404);
  CHECK(stranger.get("/invite?token=" + std::string(43, 'A')).status == 404);

  // The owner deactivates the editor: the editor's open session is dead on its next request.
  users = owner.get("/users");
  auto id = user_id(users.body, "editor@example.com");
  // Each row's forms carry the session's CSRF token and the user's current role.
  CHECK(users.body.find("name=\"csrf\" value=\"\"") == std::string::npos);
  CHECK(users.body.find("action=\"/users/" + id + "/role\"") != std::string::npos);
  CHECK(users.body.find("<option value=\"editor\" selected>") != std::string::npos);
  auto off = owner.post("/users/" + id + "/deactivate", {{"csrf", csrf}});
  REQUIRE(off.status == 303);
  CHECK(off.headers.at("location") == "/users?done=deactivated");
  auto after = editor.get("/");
  CHECK(after.status == 303);
  CHECK(after.headers.at("location") == "/login");
  CHECK(sign_in(editor, "editor@example.com", kEditorPassword).status == 401);
  auto listed = owner.get("/users?done=deactivated");
  CHECK(listed.body.find("User deactivated.") != std::string::npos);
  CHECK(listed.body.find("deactivated</span>") != std::string::npos);

  // Every change is in the audit trail, with who, from where and before/after; never the token.
  auto audit = owner.get("/audit");
  REQUIRE(audit.status == 200);
  for (const char* action : {"user.invite", "user.invite_accepted", "user.deactivate"})
    CHECK(audit.body.find(action) != std::string::npos);
  CHECK(audit.body.find(token) == std::string::npos);
}

TEST_CASE("the last owner can neither demote nor deactivate themselves", "[integration][users]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto owner = owner_browser(*a);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);
  auto csrf = field(owner.get("/users").body, "csrf");
  // The owner is the first user, id 1; their own row offers no forms, so post as a crafted request would.
  auto demote = owner.post("/users/1/role", {{"csrf", csrf}, {"role", "admin"}});
  CHECK(demote.status == 409);
  CHECK(demote.body.find("This is the last owner. Make another user owner first.") != std::string::npos);
  auto deactivate = owner.post("/users/1/deactivate", {{"csrf", csrf}});
  CHECK(deactivate.status == 409);
  CHECK(deactivate.body.find("The last owner cannot be deactivated.") != std::string::npos);
  auto still = owner.get("/users");
  REQUIRE(still.status == 200);
  CHECK(still.body.find("<td>owner</td>") != std::string::npos);
  // Ids from the path are parsed strictly; unknown ones are 404 too.
  CHECK(owner.post("/users/abc/deactivate", {{"csrf", csrf}}).status == 404);
  CHECK(owner.post("/users/01/deactivate", {{"csrf", csrf}}).status == 404);
  CHECK(owner.post("/users/999/deactivate", {{"csrf", csrf}}).status == 404);
}

TEST_CASE("an admin unlocks a locked-out user, who can then sign in", "[integration][users][V6.3.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto owner = owner_browser(*a);
  REQUIRE(sign_in(owner, "owner@example.com").status == 303);
  auto csrf = field(owner.get("/users").body, "csrf");
  auto made = owner.post("/users/invite", {{"csrf", csrf}, {"email", "viewer@example.com"}, {"role", "viewer"}});
  REQUIRE(made.status == 200);
  auto path = invite_link(made.body).substr(owner.origin.size());
  Browser viewer = browser_for(*a);
  REQUIRE(accept_invite_link(viewer, path, kEditorPassword).status == 303);

  for (int i = 0; i < 5; ++i) CHECK(sign_in(viewer, "viewer@example.com", "not the right password").status == 401);
  CHECK(sign_in(viewer, "viewer@example.com", kEditorPassword).status == 401);  // locked
  auto users = owner.get("/users");
  auto id = user_id(users.body, "viewer@example.com");
  CHECK(users.body.find("action=\"/users/" + id + "/unlock\"") != std::string::npos);
  auto unlocked = owner.post("/users/" + id + "/unlock", {{"csrf", csrf}});
  REQUIRE(unlocked.status == 303);
  CHECK(unlocked.headers.at("location") == "/users?done=unlocked");
  REQUIRE(sign_in(viewer, "viewer@example.com", kEditorPassword).status == 303);
  CHECK(viewer.get("/").status == 200);
}
