#pragma once
// A minimal browser for integration tests of the console: keeps the session cookie, sends forms
// same-origin, and finds the setup link and form fields in what the server returned. Header-only
// because the integration target compiles tests/integration/*.cpp and tests/support/harness*.cpp.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <regex>
#include <string>

#include "http/form.h"
#include "identity/totp.h"
#include "support/harness.h"

namespace airlock::testing {

inline constexpr const char* kConsolePassword = "correct horse battery staple";

struct Browser {
  int port;
  std::string origin;
  std::string cookie;  // "__Host-airlock_session=…"
  std::map<std::string, std::string> link_cookies;  // one-time link tokens moved out of the URL

  std::string cookie_header() const {
    std::string all = cookie;
    for (const auto& [name, value] : link_cookies) all += (all.empty() ? "" : "; ") + name + "=" + value;
    return all;
  }
  void keep_cookie(const HttpReply& r) {
    auto it = r.headers.find("set-cookie");
    if (it == r.headers.end()) return;
    auto v = it->second.substr(0, it->second.find(';'));
    auto name = v.substr(0, v.find('='));
    auto value = v.substr(v.find('=') + 1);
    if (name == "__Host-airlock_session") cookie = value.empty() ? "" : v;
    else if (value.empty()) link_cookies.erase(name);
    else link_cookies[name] = value;
  }
  HttpReply get(const std::string& path) {
    std::map<std::string, std::string> h;
    if (auto c = cookie_header(); !c.empty()) h["Cookie"] = c;
    auto r = https_request(port, "GET", path, h);
    keep_cookie(r);
    return r;
  }
  HttpReply post(const std::string& path, const std::map<std::string, std::string>& fields,
                 const std::string& from_origin = {}) {
    std::string body;
    for (const auto& [k, v] : fields)
      body += (body.empty() ? "" : "&") + http::url_encode(k) + "=" + http::url_encode(v);
    std::map<std::string, std::string> h{{"Content-Type", "application/x-www-form-urlencoded"},
                                         {"Origin", from_origin.empty() ? origin : from_origin}};
    if (auto c = cookie_header(); !c.empty()) h["Cookie"] = c;
    auto r = https_request(port, "POST", path, h, body);
    keep_cookie(r);
    return r;
  }
};

inline Browser browser_for(Airlock& a) { return {a.port(), "https://127.0.0.1:" + std::to_string(a.port()), ""}; }

inline std::string setup_link(Airlock& a) {
  std::smatch m;
  std::string out = a.wait_for_stdout("/setup?token=");
  REQUIRE(std::regex_search(out, m, std::regex("(/setup\\?token=[A-Za-z0-9_-]{43})")));
  return m[1];
}

// Opens a one-time link (setup, invite, reset) as a browser does: the token moves into a cookie
// and the redirect leads to the form, which is returned.
inline HttpReply open_link(Browser& b, const std::string& path_with_token) {
  auto moved = b.get(path_with_token);
  if (moved.status != 303) return moved;
  return b.get(moved.headers.at("location"));
}

// Accepts an invite link (a full URL or a path) with `password`; returns the reply to the form.
inline HttpReply accept_invite_link(Browser& b, const std::string& link, const std::string& password) {
  auto path = link.rfind(b.origin, 0) == 0 ? link.substr(b.origin.size()) : link;
  REQUIRE(open_link(b, path).status == 200);
  return b.post("/invite", {{"password", password}, {"password2", password}});
}

// The id in the users page's forms for the user listed with `email`.
inline std::string user_id(const std::string& html, const std::string& email) {
  auto row = html.find("<td>" + email);
  REQUIRE(row != std::string::npos);
  std::smatch m;
  std::string rest = html.substr(row);
  REQUIRE(std::regex_search(rest, m, std::regex("action=\"/users/([0-9]+)/")));
  return m[1];
}

// The value of the first input named `name` in `html`, or "".
inline std::string field(const std::string& html, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\""))) return {};
  return m[1];
}

// Creates the owner through the printed setup link; the browser is not signed in yet.
inline Browser owner_browser(Airlock& a, const std::string& email = "owner@example.com") {
  Browser b = browser_for(a);
  REQUIRE(b.get(setup_link(a)).status == 303);  // the token moves into a cookie
  auto made = b.post("/setup", {{"email", email}, {"password", kConsolePassword}, {"password2", kConsolePassword}});
  REQUIRE(made.status == 303);
  return b;
}

inline std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A six-digit code that is none the server could accept for `secret` now: a fixed "000000" is
// a valid code about once in 300,000 tries (three steps are accepted).
inline std::string wrong_code_for(const airlock::core::Bytes& secret) {
  auto now = unix_now_s();
  for (int n = 0;; ++n) {
    std::string candidate(6, static_cast<char>('0' + n % 10));
    bool near = false;
    for (int d = -2; d <= 2; ++d) near = near || airlock::identity::totp_at(secret, now + 30 * d) == candidate;
    if (!near) return candidate;
  }
}

// The secret an enrolment page shows.
inline airlock::core::Bytes totp_secret_in(const std::string& page) {
  std::smatch m;
  REQUIRE(std::regex_search(page, m, std::regex("id=\"totp-secret\">([A-Z2-7 ]+)<")));
  return *airlock::identity::base32_decode(m[1].str());
}

struct Totp {
  airlock::core::Bytes secret;
  std::vector<std::string> backup;  // the ten backup codes shown at enrolment
  std::string enrolment_code;        // the code that confirmed it (spent: replays must fail)
  std::string now_code() const { return airlock::identity::totp_at(secret, unix_now_s()); }
  std::string wrong_code() const { return wrong_code_for(secret); }
};

// The second factors this test process set up, by (port, e-mail), so that a later sign-in can
// finish the MFA step. A TOTP code works once per 30 s step, so sign-ins use the backup codes.
inline std::map<std::pair<int, std::string>, Totp>& known_factors() {
  static std::map<std::pair<int, std::string>, Totp> m;
  return m;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads the secret from an enrolment page, confirms it with the current code at `action`, and
// collects the backup codes from the page that follows.
inline Totp confirm_enrolment(Browser& b, const std::string& page, const std::string& action, const std::string& csrf) {
  Totp t{totp_secret_in(page), {}, {}};
  t.enrolment_code = t.now_code();
  auto shown = b.post(action, {{"csrf", csrf}, {"code", t.enrolment_code}});
  REQUIRE(shown.status == 200);
  const std::regex code_re("<li><code>([0-9A-Z-]{14})</code>");
  for (std::sregex_iterator it(shown.body.begin(), shown.body.end(), code_re), end; it != end; ++it)
    t.backup.push_back((*it)[1]);
  REQUIRE(t.backup.size() == 10);
  return t;
}

// Turns TOTP on for the signed-in browser's user from the account page.
inline Totp enrol_totp(Browser& b) {
  auto email = lower(field(b.get("/account").body, "username"));
  auto csrf = field(b.get("/account/mfa").body, "csrf");
  REQUIRE(b.post("/account/mfa/start", {{"csrf", csrf}}).status == 303);
  auto t = confirm_enrolment(b, b.get("/account/mfa").body, "/account/mfa/confirm", csrf);
  known_factors()[{b.port, email}] = t;
  return t;
}

// After a password was accepted (303 to /login/mfa): the forced enrolment when the user has no
// factor yet (its codes are remembered), else the step with a remembered backup code. Returns a
// 303 to "/" once the full session works, or the refusal.
inline HttpReply finish_mfa(Browser& b, const std::string& email) {
  auto step = b.get("/login/mfa");
  REQUIRE(step.status == 200);
  auto csrf = field(step.body, "csrf");
  auto key = std::make_pair(b.port, lower(email));
  if (step.body.find("totp-secret") != std::string::npos) {
    known_factors()[key] = confirm_enrolment(b, step.body, "/login/mfa/enrol", csrf);
  } else {
    auto it = known_factors().find(key);
    REQUIRE(it != known_factors().end());
    REQUIRE(!it->second.backup.empty());
    auto code = it->second.backup.back();
    it->second.backup.pop_back();
    auto done = b.post("/login/mfa", {{"csrf", csrf}, {"code", code}});
    if (done.status != 303) return done;
  }
  REQUIRE(b.get("/").status == 200);
  HttpReply signed_in;
  signed_in.status = 303;
  signed_in.headers["location"] = "/";
  return signed_in;
}

// Signs in with the password and, when asked, the second factor (owners and admins always need
// one; editors and viewers unless the owner relaxed it). Returns the refusal of the password, or
// what finish_mfa returns.
inline HttpReply sign_in(Browser& b, const std::string& email, const std::string& password = kConsolePassword) {
  auto r = b.post("/login", {{"email", email}, {"password", password}});
  auto loc = r.headers.find("location");
  if (r.status != 303 || loc == r.headers.end() || loc->second != "/login/mfa") return r;
  return finish_mfa(b, email);
}

// A JSON client: a bearer token, or the browser's session cookie plus its CSRF token.
struct Api {
  int port;
  std::string origin;
  std::string bearer;
  std::string cookie;
  std::string csrf;

  HttpReply call(const std::string& method, const std::string& path, const std::string& body = {},
                 std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> h;
    if (!bearer.empty()) h["Authorization"] = "Bearer " + bearer;
    if (!cookie.empty()) {
      h["Cookie"] = cookie;
      h["Origin"] = origin;
      h["X-CSRF-Token"] = csrf;
    }
    if (!body.empty()) h["Content-Type"] = "application/json";
    for (auto& [k, v] : extra) {  // an empty value leaves the header out
      if (v.empty()) h.erase(k);
      else h[k] = v;
    }
    return https_request(port, method, path, h, body);
  }
  nlohmann::json get(const std::string& path) const {
    auto r = call("GET", path);
    INFO(path << " → " << r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return nlohmann::json::parse(r.body);
  }
};

}  // namespace airlock::testing
