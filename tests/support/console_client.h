#pragma once
// A minimal browser for integration tests of the console: keeps the session cookie, sends forms
// same-origin, and finds the setup link and form fields in what the server returned. Header-only
// because the integration target compiles tests/integration/*.cpp and tests/support/harness*.cpp.
#include <catch2/catch_test_macros.hpp>
#include <map>
#include <regex>
#include <string>

#include "http/form.h"
#include "support/harness.h"

namespace airlock::testing {

inline constexpr const char* kConsolePassword = "correct horse battery staple";

struct Browser {
  int port;
  std::string origin;
  std::string cookie;  // "__Host-airlock_session=…"

  HttpReply get(const std::string& path) {
    std::map<std::string, std::string> h;
    if (!cookie.empty()) h["Cookie"] = cookie;
    return https_request(port, "GET", path, h);
  }
  HttpReply post(const std::string& path, const std::map<std::string, std::string>& fields,
                 const std::string& from_origin = {}) {
    std::string body;
    for (const auto& [k, v] : fields)
      body += (body.empty() ? "" : "&") + http::url_encode(k) + "=" + http::url_encode(v);
    std::map<std::string, std::string> h{{"Content-Type", "application/x-www-form-urlencoded"},
                                         {"Origin", from_origin.empty() ? origin : from_origin}};
    if (!cookie.empty()) h["Cookie"] = cookie;
    auto r = https_request(port, "POST", path, h, body);
    auto it = r.headers.find("set-cookie");
    if (it != r.headers.end()) {
      auto v = it->second.substr(0, it->second.find(';'));
      cookie = v == "__Host-airlock_session=" ? "" : v;
    }
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

// The value of the first input named `name` in `html`, or "".
inline std::string field(const std::string& html, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex("name=\"" + name + "\" value=\"([^\"]*)\""))) return {};
  return m[1];
}

// Creates the owner through the printed setup link; the browser is not signed in yet.
inline Browser owner_browser(Airlock& a, const std::string& email = "owner@example.com") {
  Browser b = browser_for(a);
  auto link = setup_link(a);
  auto token = link.substr(link.find('=') + 1);
  auto made = b.post("/setup", {{"token", token}, {"email", email}, {"password", kConsolePassword},
                                {"password2", kConsolePassword}});
  REQUIRE(made.status == 303);
  return b;
}

// Signs in with a password (no MFA); returns the reply to POST /login.
inline HttpReply sign_in(Browser& b, const std::string& email, const std::string& password = kConsolePassword) {
  return b.post("/login", {{"email", email}, {"password", password}});
}

}  // namespace airlock::testing
