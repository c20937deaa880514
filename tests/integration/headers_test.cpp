// The headers every response carries (ASVS V3.4.1 HSTS, V3.4.4 nosniff, V3.4.5 Referrer-Policy,
// V3.4.6 frame-ancestors, V14.3.1 no-store, V3.2.1 sandboxed non-HTML), checked on a response
// from every route of the running binary (the table comes from GET /api/v1/routes), on the
// listener's own errors, on an SSE stream and on a download; and Clear-Site-Data when a session
// ends or its cookie no longer names one.
#include <catch2/catch_test_macros.hpp>
#include <regex>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

const std::string kSandbox = "default-src 'none'; frame-ancestors 'none'; sandbox";

void check_headers(const HttpReply& r, const std::string& what) {
  INFO(what << " → " << r.status);
  INFO(r.raw.substr(0, r.raw.find("\r\n\r\n")));
  CHECK(r.headers.count("x-request-id") == 1);
  CHECK(r.headers.count("x-content-type-options") == 1);
  if (r.headers.count("x-content-type-options")) CHECK(r.headers.at("x-content-type-options") == "nosniff");
  CHECK(r.headers.count("strict-transport-security") == 1);
  if (r.headers.count("strict-transport-security"))
    CHECK(r.headers.at("strict-transport-security") == "max-age=63072000; includeSubDomains");
  CHECK(r.headers.count("referrer-policy") == 1);
  bool asset = what.find("/static/") != std::string::npos && r.status == 200;
  CHECK(r.headers.count("cache-control") == 1);
  if (r.headers.count("cache-control"))
    CHECK(r.headers.at("cache-control") == (asset ? "public, max-age=31536000, immutable" : "no-store"));
  std::string type = r.headers.count("content-type") ? r.headers.at("content-type") : "";
  REQUIRE(r.headers.count("content-security-policy") == 1);
  const auto& csp = r.headers.at("content-security-policy");
  if (type.rfind("text/html", 0) == 0) {
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("default-src 'none'") != std::string::npos);
  } else if (!asset) {
    CHECK(csp == kSandbox);
  }
}

// "/api/v1/keys/{key_id}" → "/api/v1/keys/1"; a rest parameter gets a model name.
std::string concrete(const std::string& pattern) {
  std::string p = std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\.\.\.\})"), "gpt-test");
  return std::regex_replace(p, std::regex(R"(\{[a-z_]+\})"), "1");
}

}  // namespace

TEST_CASE("every route's responses carry the security headers", "[integration][http][headers][V3.4.4][V3.4.6][V14.3.1]") {
  Gateway g(kMockProvision, {{"AIRLOCK_MAX_BODY_BYTES", "65536"}});
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  std::map<std::string, std::string> session = {{"Cookie", ob.cookie}, {"Origin", ob.origin}};
  auto me = json::parse(https_request(a.port(), "GET", "/api/v1/me", session).body);
  auto table = https_request(a.port(), "GET", "/api/v1/routes", session);
  REQUIRE(table.status == 200);
  auto routes = json::parse(table.body)["data"];
  REQUIRE(routes.size() > 70);
  auto key = g.key();
  int walked = 0;
  for (const auto& route : routes) {
    std::string method = route["method"], pattern = route["pattern"], access = route["access"];
    if (method == "POST" && (pattern == "/logout" || pattern == "/login/mfa/cancel")) continue;  // below, on purpose
    std::string path = concrete(pattern);
    std::map<std::string, std::string> h = session;
    std::string body;
    if (access == "gateway_key") {
      h = {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}};
      if (method == "POST") body = pattern == "/v1/messages" ? R"({"model":"claude-test","max_tokens":5,"messages":[]})"
                                   : pattern == "/v1/embeddings" ? R"({"model":"embed-test","input":"x"})"
                                                                   : R"({"model":"gpt-test","prompt":"x","messages":[]})";
    } else if (method != "GET") {
      // Unsafe requests without the CSRF token: the guard's own refusal, which must be dressed too.
      h["Content-Type"] = pattern.rfind("/api/", 0) == 0 ? "application/json" : "application/x-www-form-urlencoded";
      body = pattern.rfind("/api/", 0) == 0 ? "{}" : "x=1";
    }
    auto r = https_request(a.port(), method, path, h, body);
    check_headers(r, method + " " + path);
    ++walked;
  }
  CHECK(walked == static_cast<int>(routes.size()) - 2);

  // A hashed static asset keeps its long cache; the listener's own errors are dressed too.
  auto home = https_request(a.port(), "GET", "/", session);
  std::smatch css;
  REQUIRE(std::regex_search(home.body, css, std::regex(R"(/static/[A-Za-z0-9._-]+\.css)")));
  check_headers(https_request(a.port(), "GET", css.str()), "GET /static/ asset");
  check_headers(https_request(a.port(), "GET", "/no/such/route"), "404");
  check_headers(https_request(a.port(), "DELETE", "/healthz"), "405");
  check_headers(https_request(a.port(), "POST", "/healthz", {}, std::string(70000, 'x')), "413");
  check_headers(https_request(a.port(), "GET", "/healthz", {{"X-Big", std::string(20000, 'b')}}), "431");
  {
    auto c = TlsConn::connect(a.port());
    REQUIRE(c);
    REQUIRE(c->write("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
    auto reply = parse_reply(c->read_all(5s));
    REQUIRE(reply);
    check_headers(*reply, "400 from the parser");
  }
  // An SSE stream and a CSV download.
  auto stream = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","stream":true,"messages":[]})");
  CHECK(stream.headers.at("content-type").rfind("text/event-stream", 0) == 0);
  check_headers(stream, "SSE");
  auto csv = https_request(a.port(), "GET", "/usage.csv?range=24h", session);
  REQUIRE(csv.status == 200);
  CHECK(csv.headers.at("content-disposition").rfind("attachment; filename=", 0) == 0);
  check_headers(csv, "CSV");
  CHECK(me["role"] == "owner");
}

TEST_CASE("logout and a dead session cookie clear what the browser kept", "[integration][http][headers][V7.4.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto b = owner_browser(*a);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  auto page = b.get("/account");
  std::smatch m;
  REQUIRE(std::regex_search(page.body, m, std::regex(R"re(name="csrf" value="([^"]+)")re")));
  std::string old_cookie = b.cookie;
  auto out = b.post("/logout", {{"csrf", m[1].str()}});
  REQUIRE(out.status == 303);
  CHECK(out.headers.at("clear-site-data") == "\"cache\", \"cookies\", \"storage\"");
  // The ended session's cookie sent again: refused, and the browser told to drop it and its cache.
  auto stale = https_request(a->port(), "GET", "/account", {{"Cookie", old_cookie}});
  CHECK(stale.status == 303);
  CHECK(stale.headers.at("location") == "/login");
  CHECK(stale.headers.at("clear-site-data") == "\"cache\", \"cookies\", \"storage\"");
  CHECK(stale.headers.at("set-cookie").find("Max-Age=0") != std::string::npos);
  auto api = https_request(a->port(), "GET", "/api/v1/me", {{"Cookie", old_cookie}});
  CHECK(api.status == 401);
  CHECK(api.headers.count("clear-site-data") == 1);
  // No cookie at all: nothing to clear.
  CHECK(https_request(a->port(), "GET", "/account").headers.count("clear-site-data") == 0);
}
