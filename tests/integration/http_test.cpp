// HTTP behaviour of the real binary over real TLS: probes, request ids, limits, errors, logs.
#include <signal.h>

#include <catch2/catch_test_macros.hpp>
#include <thread>

#include "support/harness.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

void check_error_shape(const HttpReply& r, int status, const std::string& code) {
  INFO(r.raw);
  CHECK(r.status == status);
  CHECK(r.headers.at("content-type").rfind("application/json", 0) == 0);
  auto j = json::parse(r.body, nullptr, false);
  REQUIRE(j.is_object());
  CHECK(j["error"]["code"] == code);
  CHECK(j["error"]["type"].is_string());
  CHECK(j["error"]["message"].is_string());
  CHECK(j["error"]["request_id"] == r.headers.at("x-request-id"));
  // Nothing internal leaks into an error.
  for (const char* leak : {"/work", "/tmp", "SQLite", "exception", "what()", "httplib", ".cpp"}) {
    INFO(leak);
    CHECK(r.body.find(leak) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("healthz and readyz answer without auth and without internals", "[integration][http]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto h = https_request(a->port(), "GET", "/healthz");
  CHECK(h.status == 200);
  CHECK(json::parse(h.body) == json{{"status", "ok"}});
  auto r = https_request(a->port(), "GET", "/readyz");
  CHECK(r.status == 200);
  CHECK(json::parse(r.body) == json{{"status", "ready"}});
  CHECK(h.headers.at("x-content-type-options") == "nosniff");
  CHECK(h.headers.at("strict-transport-security") == "max-age=63072000; includeSubDomains");
  CHECK(h.headers.at("cache-control") == "no-store");
}

TEST_CASE("a valid X-Request-Id is echoed, an invalid one replaced", "[integration][http]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto ok = https_request(a->port(), "GET", "/healthz", {{"X-Request-Id", "client-id_1.2"}});
  CHECK(ok.headers.at("x-request-id") == "client-id_1.2");
  for (const std::string& bad : {std::string("bad id"), std::string(65, 'a'), std::string("a\"b"), std::string("ü")}) {
    auto r = https_request(a->port(), "GET", "/healthz", {{"X-Request-Id", bad}});
    INFO(bad);
    auto id = r.headers.at("x-request-id");
    CHECK(id != bad);
    CHECK(id.size() >= 16);
    CHECK(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
  }
  // The id is in the access line of that request.
  auto line = a->wait_for_log([](const json& j) { return j.value("request_id", "") == "client-id_1.2"; });
  REQUIRE(line);
  CHECK((*line)["msg"] == "request");
  CHECK((*line)["route"] == "/healthz");
  CHECK((*line)["status"] == 200);
  CHECK((*line)["method"] == "GET");
  CHECK((*line)["client_ip"] == "127.0.0.1");
  CHECK((*line)["duration_us"].is_number_integer());
  CHECK((*line)["bytes"].is_number_integer());
}

TEST_CASE("unknown routes are 404, wrong methods 405 with Allow, all in the error shape", "[integration][http]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  check_error_shape(https_request(a->port(), "GET", "/nope"), 404, "not_found");
  check_error_shape(https_request(a->port(), "GET", "/healthz/../readyz"), 404, "not_found");
  auto m = https_request(a->port(), "DELETE", "/healthz");
  check_error_shape(m, 405, "method_not_allowed");
  CHECK(m.headers.at("allow") == "GET, HEAD");
}

TEST_CASE("an oversized body gets 413 and the server keeps serving", "[integration][http][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_MAX_BODY_BYTES", "2048"}});
  check_error_shape(https_request(a->port(), "POST", "/healthz", {}, std::string(4096, 'x')), 413, "body_too_large");
  // At the limit the body is read and routing decides (405 here, not 413).
  check_error_shape(https_request(a->port(), "POST", "/healthz", {}, std::string(2048, 'x')), 405,
                    "method_not_allowed");
  CHECK(https_request(a->port(), "GET", "/healthz").status == 200);
}

TEST_CASE("malformed requests get 400 in the error shape", "[integration][http]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  for (const std::string& raw :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n"),
        std::string("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")}) {
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    REQUIRE(c->write(raw));
    auto reply = parse_reply(c->read_all(5s));
    INFO(raw);
    REQUIRE(reply);
    check_error_shape(*reply, 400, "bad_request");
  }
  // Well formed but a version we do not speak.
  auto c = TlsConn::connect(a->port());
  REQUIRE(c);
  REQUIRE(c->write("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"));
  auto reply = parse_reply(c->read_all(5s));
  REQUIRE(reply);
  check_error_shape(*reply, 505, "http_version_not_supported");
  CHECK(https_request(a->port(), "GET", "/healthz").status == 200);
}

TEST_CASE("after an error response the connection is closed and nothing behind it is served",
          "[integration][http][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  // A rejected request followed by a second one on the same connection: only the rejection comes
  // back, and the connection ends at once (not at the keep-alive timeout).
  for (const std::string& first : {std::string("GARBAGE\r\n\r\n"), std::string("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"),
                                   std::string("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab")}) {
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    REQUIRE(c->write(first + "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: second-request\r\n\r\n"));
    auto start = std::chrono::steady_clock::now();
    auto raw = c->read_all(10s);
    INFO(raw);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(raw.find("200 OK") == std::string::npos);
    CHECK(raw.find("Connection: close") != std::string::npos);
  }
  CHECK_FALSE(a->wait_for_log([](const json& j) { return j.value("request_id", "") == "second-request"; }, 0s));
}

TEST_CASE("too many or too large headers get 431", "[integration][http][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_MAX_HEADER_COUNT", "20"}, {"AIRLOCK_MAX_HEADER_BYTES", "2048"}});
  std::map<std::string, std::string> many;
  for (int i = 0; i < 25; ++i) many["X-H" + std::to_string(i)] = "v";
  check_error_shape(https_request(a->port(), "GET", "/healthz", many), 431, "headers_too_large");
  check_error_shape(https_request(a->port(), "GET", "/healthz", {{"X-Big", std::string(3000, 'b')}}), 431,
                    "headers_too_large");
  CHECK(https_request(a->port(), "GET", "/healthz", {{"X-Ok", std::string(1000, 'b')}}).status == 200);
}

TEST_CASE("a client trickling its headers is cut off at the header deadline", "[integration][http][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_HEADER_TIMEOUT", "2"}, {"AIRLOCK_READ_TIMEOUT", "30"}});
  auto c = TlsConn::connect(a->port());
  REQUIRE(c);
  REQUIRE(c->write("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  auto start = std::chrono::steady_clock::now();
  bool cut = false;
  // Each header line arrives well within the per-read timeout; only the total deadline can stop it.
  for (int i = 0; i < 40 && !cut; ++i) {
    if (!c->write("X-Drip-" + std::to_string(i) + ": y\r\n")) {
      cut = true;
      break;
    }
    cut = c->closed_within(300ms);
  }
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(cut);
  CHECK(took < 6s);
  CHECK(took > 1500ms);
  CHECK(https_request(a->port(), "GET", "/healthz").status == 200);
}

TEST_CASE("connections beyond the configured maximum are closed at accept", "[integration][http][V4.2.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_MAX_CONNECTIONS", "4"}});
  std::vector<std::unique_ptr<TlsConn>> held;
  for (int i = 0; i < 4; ++i) {
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    held.push_back(std::move(c));
  }
  std::string err;
  CHECK_FALSE(TlsConn::connect(a->port(), &err));  // the handshake never happens
  held.pop_back();                                   // one slot frees up
  std::unique_ptr<TlsConn> next;
  for (int i = 0; i < 50 && !next; ++i) {
    next = TlsConn::connect(a->port(), &err);
    if (!next) std::this_thread::sleep_for(20ms);    // the server notices the close asynchronously
  }
  REQUIRE(next);
  REQUIRE(next->write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto reply = parse_reply(next->read_all(5s));
  REQUIRE(reply);
  CHECK(reply->status == 200);
}

TEST_CASE("SIGTERM lets an in-flight request finish, refuses new ones, and exits 0", "[integration][http]") {
  TempDir dir;
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_DRAIN_TIMEOUT", "20"}});
  auto c = TlsConn::connect(a->port());
  REQUIRE(c);
  // The head, then wait for 100 Continue: it proves the server has read the head and waits for the
  // body, so the request is in flight when the signal comes (a connection still in its handshake
  // or with no bytes read is idle, and draining closes it at once).
  REQUIRE(c->write("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n"));
  std::string interim;
  REQUIRE(c->read_until(&interim, "100 Continue\r\n\r\n"));
  REQUIRE(c->write("12345"));
  a->send_signal(SIGTERM);
  REQUIRE(a->wait_for_log([](const json& j) { return j.value("msg", "").rfind("shutting down", 0) == 0; }));
  std::string err;
  auto late = TlsConn::connect(a->port(), &err);
  CHECK_FALSE(late);
  REQUIRE(c->write("67890"));
  auto reply = parse_reply(c->read_all(10s));
  REQUIRE(reply);
  CHECK(reply->status == 405);  // answered by routing, so it ran to completion
  CHECK(a->wait_exit(15s) == 0);
  CHECK(a->all_output().find("\"msg\":\"stopped\"") != std::string::npos);
}

TEST_CASE("every log line is JSON and no secret reaches the logs", "[integration][logs][V16.2.5]") {
  TempDir dir;
  const std::string db_pass = "correct-horse-battery-staple-db";
  const std::string master = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  auto a = Airlock::start(dir.path(), {{"AIRLOCK_DB_KEY", db_pass}, {"AIRLOCK_MASTER_KEY", master}});
  https_request(a->port(), "GET", "/healthz?token=sk-query-secret",
                {{"Authorization", "Bearer sk-live-bearer-secret"}, {"X-Api-Key", "sk-ant-header-secret"},
                 {"Cookie", "__Host-airlock_session=cookie-secret"}});
  https_request(a->port(), "POST", "/nope", {}, "{\"api_key\":\"sk-body-secret\"}");
  a->send_signal(SIGTERM);
  REQUIRE(a->wait_exit(15s) == 0);
  auto out = a->all_output();
  for (const std::string& secret : {db_pass, master, std::string("sk-query-secret"), std::string("sk-live-bearer-secret"),
                                    std::string("sk-ant-header-secret"), std::string("cookie-secret"),
                                    std::string("sk-body-secret")}) {
    INFO(secret);
    CHECK(out.find(secret) == std::string::npos);
  }
  int json_lines = 0;
  for (const auto& line : a->log_lines()) {
    INFO(line);
    auto j = json::parse(line, nullptr, false);
    CHECK(j.is_object());
    CHECK(j.contains("time"));
    CHECK(j.contains("level"));
    ++json_lines;
  }
  CHECK(json_lines >= 5);
}

TEST_CASE("X-Forwarded-For is believed only from a trusted proxy", "[integration][http][V4.1.1]") {
  TempDir dir;
  auto req = [](const std::string& id) {
    return "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n"
           "X-Request-Id: " + id + "\r\n\r\n";
  };
  auto client_ip_of = [](Airlock& a, const std::string& id) {
    auto line = a.wait_for_log([&](const json& j) { return j.value("request_id", "") == id; });
    REQUIRE(line);
    return (*line)["client_ip"].get<std::string>();
  };
  {
    auto a = Airlock::start(dir / "trusted", {{"AIRLOCK_PLAIN_HTTP", "true"}, {"AIRLOCK_TRUSTED_PROXIES", "127.0.0.0/8"}});
    auto raw = plain_request(a->port(), req("via-proxy"));
    CHECK(raw.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(raw.find("Strict-Transport-Security") == std::string::npos);  // no HSTS on plain HTTP
    CHECK(client_ip_of(*a, "via-proxy") == "198.51.100.7");
    // Two header lines, as HAProxy's `option forwardfor` sends them: the client's own line first,
    // the proxy's after it. They are one list, read from the right: the client cannot choose.
    plain_request(a->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 198.51.100.8\r\n"
                             "X-Request-Id: two-lines\r\n\r\n");
    CHECK(client_ip_of(*a, "two-lines") == "198.51.100.8");
  }
  auto b = Airlock::start(dir / "untrusted", {{"AIRLOCK_PLAIN_HTTP", "true"}, {"AIRLOCK_TRUSTED_PROXIES", "10.0.0.0/8"}});
  plain_request(b->port(), req("direct"));
  CHECK(client_ip_of(*b, "direct") == "127.0.0.1");
}

TEST_CASE("CORS is off unless configured, and then only for the listed origins on /api/", "[integration][http][V3.4.2]") {
  TempDir dir;
  {
    auto a = Airlock::start(dir / "off");
    auto r = https_request(a->port(), "GET", "/api/v1/me", {{"Origin", "https://app.example"}});
    CHECK(r.headers.count("access-control-allow-origin") == 0);
    auto pre = https_request(a->port(), "OPTIONS", "/api/v1/me",
                             {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}});
    CHECK(pre.status == 405);
    CHECK(pre.headers.count("access-control-allow-origin") == 0);
  }
  auto a = Airlock::start(dir / "on", {{"AIRLOCK_CORS_ORIGINS", "https://app.example"}, {"AIRLOCK_HSTS_PRELOAD", "true"}});
  auto pre = https_request(a->port(), "OPTIONS", "/api/v1/me",
                           {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}});
  CHECK(pre.status == 204);
  CHECK(pre.headers.at("access-control-allow-origin") == "https://app.example");
  CHECK(pre.headers.at("access-control-allow-headers").find("Authorization") != std::string::npos);
  auto api = https_request(a->port(), "GET", "/api/v1/me", {{"Origin", "https://app.example"}});
  CHECK(api.status == 401);  // still needs a token
  CHECK(api.headers.at("access-control-allow-origin") == "https://app.example");
  auto other = https_request(a->port(), "GET", "/api/v1/me", {{"Origin", "https://evil.example"}});
  CHECK(other.headers.count("access-control-allow-origin") == 0);
  auto page = https_request(a->port(), "GET", "/login", {{"Origin", "https://app.example"}});
  CHECK(page.headers.count("access-control-allow-origin") == 0);  // pages never
  CHECK(page.headers.at("strict-transport-security") == "max-age=63072000; includeSubDomains; preload");
  auto bad = run_program({airlock_bin(), "config", "check"}, {{"AIRLOCK_CORS_ORIGINS", "https://app.example/path, *"}});
  CHECK(bad.exit_code == 2);
}
