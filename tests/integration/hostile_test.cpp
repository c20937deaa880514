// Hostile input against the real binary (issue 12): every class of request that once ended the
// process gets its exact status and code, and /healthz on a second connection answers after each.
#include <catch2/catch_test_macros.hpp>
#include <atomic>
#include <optional>
#include <fstream>
#include <thread>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

std::string nested(int depth, const std::string& open = "[", const std::string& close = "]") {
  std::string s;
  s.reserve(depth * (open.size() + close.size()) + 1);
  for (int i = 0; i < depth; ++i) s += open;
  s += "0";
  for (int i = 0; i < depth; ++i) s += close;
  return s;
}

json error_of(const HttpReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return json::object();
  return j["error"];
}
std::string code_of(const HttpReply& r) {
  auto e = error_of(r);
  return e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
}

// One request over a fresh TLS connection without any Catch2 macro, for use on other threads
// (Catch2's assertions are not thread-safe). nullopt when no whole answer came.
std::optional<HttpReply> request_from_thread(int port, const std::string& method, const std::string& target,
                                             const std::map<std::string, std::string>& headers,
                                             const std::string& body) {
  auto c = TlsConn::connect(port);
  if (!c) return std::nullopt;
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (!c->write(req)) return std::nullopt;
  return parse_reply(c->read_all(30s));
}

void still_serving(Airlock& a) {
  auto h = https_request(a.port(), "GET", "/healthz");
  REQUIRE(h.status == 200);
}

const std::string kChat = R"({"model":"gpt-test","messages":[{"role":"user","content":"hi"}]})";

}  // namespace

TEST_CASE("the three reproductions: deep CSP report, deep /v1 body, include_usage of the wrong type",
          "[integration][hostile][V1.5.2][V2.2.1]") {
  Gateway g(kMockProvision);
  auto& a = *g.airlock;
  auto key = g.key();

  // 1. No credentials, 8 KB, 4,000 levels: a stack overflow on a worker before.
  std::string report = R"({"csp-report":{"document-uri":"x","y":)" + nested(4000) + "}}";
  REQUIRE(report.size() < 8 * 1024);
  auto csp = https_request(a.port(), "POST", "/csp-report", {{"Content-Type", "application/csp-report"}}, report);
  CHECK(csp.status == 400);
  CHECK(code_of(csp) == "json_too_deep");
  still_serving(a);

  // 2. Any gateway key: 100,000 levels in an unknown field, on the event loop.
  auto deep = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","x":)" + nested(100000) + "}");
  CHECK(deep.status == 400);
  CHECK(code_of(deep) == "json_too_deep");
  still_serving(a);

  // 3. include_usage as a string: an uncaught type_error before.
  auto typed = g.post("/v1/chat/completions", key,
                      R"({"model":"gpt-test","stream":true,"stream_options":{"include_usage":"yes"},"messages":[]})");
  CHECK(typed.status == 400);
  CHECK(code_of(typed) == "invalid_request");
  CHECK(error_of(typed)["param"] == "stream_options.include_usage");
  still_serving(a);

  // Depth 64 is still fine; 65 is not.
  auto at_limit = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[],"x":)" + nested(62) + "}");
  CHECK(at_limit.status == 200);
  auto past = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[],"x":)" + nested(64) + "}");
  CHECK(code_of(past) == "json_too_deep");
}

TEST_CASE("every field the gateway reads refuses every wrong type with 400 naming the field",
          "[integration][hostile][V2.2.1][V1.5.2]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  const std::vector<std::string> wrong = {
      R"("text")", "1", "1.5", "-1", "9223372036854775808", "1e300", "true", R"({"a":1})", R"([1])"};
  struct Field {
    std::string path, base, name, param;
    std::vector<std::string> fine;  // of `wrong`, the values this field accepts
  };
  const std::string chat = R"("model":"gpt-test","messages":[])";
  const std::vector<Field> fields = {
      {"/v1/chat/completions", "", "model", "model", {R"("text")"}},
      {"/v1/chat/completions", chat, "stream", "stream", {"true"}},
      {"/v1/chat/completions", chat, "stream_options", "stream_options", {R"({"a":1})"}},
      {"/v1/chat/completions", chat + R"(,"stream":true)", "stream_options", "stream_options", {R"({"a":1})"}},
      {"/v1/chat/completions", chat, "max_tokens", "max_tokens", {"1"}},
      {"/v1/chat/completions", chat, "max_completion_tokens", "max_completion_tokens", {"1"}},
      {"/v1/chat/completions", chat, "n", "n", {"1"}},
      {"/v1/chat/completions", R"("model":"gpt-test")", "messages", "messages", {}},
      {"/v1/chat/completions", chat, "tools", "tools", {}},
      {"/v1/completions", R"("model":"gpt-test","prompt":"x")", "best_of", "best_of", {"1"}},
      {"/v1/completions", R"("model":"gpt-test")", "prompt", "prompt", {R"("text")", "[1]"}},
      {"/v1/embeddings", R"("model":"embed-test")", "input", "input", {R"("text")", "[1]"}},
      {"/v1/messages", R"("model":"claude-test","max_tokens":5,"messages":[])", "system", "system", {R"("text")"}},
      {"/v1/messages", R"("model":"claude-test","messages":[])", "max_tokens", "max_tokens", {"1"}},
  };
  for (const auto& f : fields) {
    for (const auto& v : wrong) {
      bool ok = std::find(f.fine.begin(), f.fine.end(), v) != f.fine.end();
      std::string body = "{" + f.base + (f.base.empty() ? "" : ",") + "\"" + f.name + "\":" + v + "}";
      if (f.name == "stream_options" && f.base.find("stream") != std::string::npos && v == R"({"a":1})") continue;
      INFO(f.path << " " << body);
      auto r = g.post(f.path, key, body);
      if (ok) {
        CHECK(r.status != 400);  // 200, or 404 for a model name that is a string but no model
        continue;
      }
      CHECK(r.status == 400);
      auto e = json::parse(r.body, nullptr, false);
      if (f.path == "/v1/messages") {
        CHECK(e["type"] == "error");
        CHECK(e["error"]["type"] == "invalid_request_error");
      } else {
        auto param = error_of(r)["param"];
        CHECK((param.is_string() && param.get<std::string>().rfind(f.param, 0) == 0));  // messages[0] for messages
      }
    }
  }
  // Nested: include_usage and a message's content.
  for (const auto& v : wrong) {
    if (v == "true") continue;
    auto r = g.post("/v1/chat/completions", key,
                    R"({"model":"gpt-test","messages":[],"stream":true,"stream_options":{"include_usage":)" + v + "}}");
    CHECK(r.status == 400);
    CHECK(error_of(r)["param"] == "stream_options.include_usage");
    if (v == R"("text")" || v == "[1]") continue;
    auto c = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[{"role":"user","content":)" + v + "}]}");
    CHECK(c.status == 400);
    CHECK(error_of(c)["param"] == "messages[0].content");
  }
  still_serving(*g.airlock);
}

TEST_CASE("bodies the strict reader refuses fast: 100,000 keys, trailing bytes, a NUL after the value",
          "[integration][hostile][V1.5.2]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  std::string wide = R"({"model":"gpt-test")";
  for (int i = 0; i < 100000; ++i) wide += ",\"k" + std::to_string(i) + "\":0";
  wide += "}";
  auto r = g.post("/v1/chat/completions", key, wide);
  CHECK(r.status == 400);
  CHECK(code_of(r) == "json_too_many_members");

  std::string with_nul = kChat;
  with_nul.push_back('\0');
  with_nul += "garbage";
  CHECK(code_of(g.post("/v1/chat/completions", key, with_nul)) == "invalid_json");
  CHECK(code_of(g.post("/v1/chat/completions", key, kChat + " {}")) == "invalid_json");
  CHECK(code_of(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","x":"\xff"})")) == "invalid_json");
  still_serving(*g.airlock);
}

TEST_CASE("a token budget cannot be turned negative by a huge max_tokens, alone or in parallel",
          "[integration][hostile][V1.4.2][V2.3.4]") {
  Gateway g(kMockProvision);
  auto key = g.key({"--monthly-tokens=1000"});
  // 2^63-1 is out of range; 2^31-1 is in range but more than the budget has: both refused up front.
  auto huge = g.post("/v1/chat/completions", key,
                     R"({"model":"no-fallback-400","max_tokens":9223372036854775807,"messages":[]})");
  CHECK(huge.status == 400);
  CHECK(error_of(huge)["param"] == "max_tokens");
  auto big = g.post("/v1/chat/completions", key, R"({"model":"no-fallback-400","max_tokens":2147483647,"messages":[]})");
  CHECK(big.status == 429);
  CHECK(code_of(big) == "insufficient_quota");
  auto both = g.post("/v1/chat/completions", key,
                     R"({"model":"gpt-test","max_tokens":10,"max_completion_tokens":2147483647,"messages":[]})");
  CHECK(both.status == 429);

  // Normal requests to an upstream that answers 400: each costs its estimate (no usage came back).
  const std::string normal = R"({"model":"no-fallback-400","max_tokens":50,"messages":[]})";
  const int estimate = static_cast<int>(normal.size() / 4) + 50;
  int admitted = 0;
  for (int i = 0; i < 30; ++i)
    if (g.post("/v1/chat/completions", key, normal).status != 429) ++admitted;
  CHECK(admitted == 1000 / estimate);

  // The same race with 50 parallel requests on a fresh key.
  auto racing = g.key({"--monthly-tokens=1000"});
  std::atomic<int> through{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&] {
      auto r = request_from_thread(g.airlock->port(), "POST", "/v1/chat/completions",
                                   {{"Authorization", "Bearer " + racing}, {"Content-Type", "application/json"}}, normal);
      if (r && r->status != 429) ++through;
    });
  for (auto& t : threads) t.join();
  CHECK(through == 1000 / estimate);
  still_serving(*g.airlock);
}

TEST_CASE("n and best_of multiply the reservation", "[integration][hostile][V1.4.2]") {
  Gateway g(kMockProvision);
  auto key = g.key({"--monthly-tokens=1000"});
  // 128 choices of 10 tokens each cannot fit 1,000; one choice can.
  auto many = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","max_tokens":10,"n":128,"messages":[]})");
  CHECK(many.status == 429);
  CHECK(code_of(many) == "insufficient_quota");
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","max_tokens":10,"n":1,"messages":[]})").status == 200);
  auto best = g.post("/v1/completions", key, R"({"model":"gpt-test","max_tokens":10,"best_of":20,"n":1,"prompt":"x"})");
  CHECK(best.status == 200);  // 200 + a few tokens fits
}

TEST_CASE("deep bodies on the management API and invalid UTF-8 in console forms are refused at the edge",
          "[integration][hostile][V1.5.2][V2.2.1]") {
  Gateway g(kMockProvision);
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto csrf = json::parse(https_request(a.port(), "GET", "/api/v1/me", {{"Cookie", ob.cookie}}).body)["csrf_token"]
                  .get<std::string>();
  std::map<std::string, std::string> h{{"Cookie", ob.cookie}, {"Origin", ob.origin}, {"X-CSRF-Token", csrf},
                                       {"Content-Type", "application/json"}};
  auto deep = https_request(a.port(), "POST", "/api/v1/keys", h, R"({"name":)" + nested(2000) + "}");
  CHECK(deep.status == 400);
  CHECK(code_of(deep) == "json_too_deep");
  auto patch = https_request(a.port(), "PATCH", "/api/v1/settings", h, nested(2000, "{\"a\":", "}"));
  CHECK(patch.status == 400);
  CHECK(code_of(patch) == "json_too_deep");
  still_serving(a);

  // A form with %FF: this aborted the writer thread (keys) or stored a row that then aborted
  // every /v1 call to the model (models).
  std::map<std::string, std::string> f{{"Cookie", ob.cookie}, {"Origin", ob.origin},
                                       {"Content-Type", "application/x-www-form-urlencoded"}};
  auto key_form = https_request(a.port(), "POST", "/keys", f, "csrf=" + csrf + "&name=k&models=%FF&scope_chat=on");
  CHECK(key_form.status == 400);
  CHECK(code_of(key_form) == "invalid_form");
  auto model_form = https_request(a.port(), "POST", "/models", f, "csrf=" + csrf + "&name=bad-utf8&targets=mock%3A%FF");
  CHECK(model_form.status == 400);
  auto key = g.key();
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"bad-utf8","messages":[]})").status == 404);
  CHECK(https_request(a.port(), "GET", "/keys?x=%C0%AF", {{"Cookie", ob.cookie}}).status == 400);  // overlong '/'
  still_serving(a);
  CHECK(g.post("/v1/chat/completions", key, kChat).status == 200);
}

TEST_CASE("an exception in any context is a 500 for its own request only: worker, loop, answer, timer, writer",
          "[integration][hostile][V16.5.3][V16.5.1]") {
  TempDir dir;
  std::string fault = dir / "fault";
  { std::ofstream(fault).flush(); }
  auto mock = MockUpstream::start(dir);
  write_file(dir / "vendor.key", kVendorKey);
  write_file(dir / "provision.json",
             std::regex_replace(std::regex_replace(kMockProvision, std::regex("MOCK"), mock->base("")),
                                std::regex("VENDOR_KEY_FILE"), dir / "vendor.key"));
  auto a = Airlock::start(dir / "data", {{"AIRLOCK_TEST_BINARY", test_bin("airlock_faults")},
                                         {"AIRLOCK_TEST_FAULT_FILE", fault},
                                         {"AIRLOCK_PROVISION_FILE", dir / "provision.json"}});
  auto made = run_program({airlock_bin(), "key", "create", "--name=t"}, {{"AIRLOCK_DATA_DIR", dir / "data"}});
  REQUIRE(made.exit_code == 0);
  std::string key = made.out.substr(0, made.out.find('\n'));
  auto arm = [&](const char* where) { std::ofstream(fault, std::ios::trunc) << where << "\n"; };
  auto caught = [&](const char* where) {
    return a->wait_for_log([&](const json& j) {
      return j.value("msg", "") == "internal error caught" && j.value("where", "") == where;
    }, 10s).has_value();
  };
  auto chat = [&](const std::string& path, const std::string& body) {
    return https_request(a->port(), "POST", path, {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}}, body);
  };

  // A worker handler: the console's error page for a page, JSON on the API.
  arm("worker");
  auto page = https_request(a->port(), "GET", "/login");
  CHECK(page.status == 500);
  CHECK(page.headers["content-type"].rfind("text/html", 0) == 0);
  CHECK(page.body.find("injected") == std::string::npos);
  CHECK(caught("worker"));
  CHECK(https_request(a->port(), "GET", "/login").status == 200);

  // The loop answering a worker's result.
  arm("posted");
  auto api = https_request(a->port(), "GET", "/api/v1/me");
  CHECK(api.status == 500);
  CHECK(code_of(api) == "internal_error");
  CHECK(caught("posted"));

  // An async /v1 handler on the loop: the caller's dialect.
  arm("async");
  auto openai = chat("/v1/chat/completions", kChat);
  CHECK(openai.status == 500);
  CHECK(code_of(openai) == "internal_error");
  arm("async");
  auto anthropic = chat("/v1/messages", R"({"model":"claude-test","max_tokens":5,"messages":[]})");
  CHECK(anthropic.status == 500);
  CHECK(json::parse(anthropic.body)["type"] == "error");
  CHECK(chat("/v1/chat/completions", kChat).status == 200);

  // The store's writer: whichever job meets the fault (readiness's, or a usage batch of the
  // requests above) fails alone, and the writer thread lives on (store/database_test.cpp shows
  // the job-by-job detail).
  arm("writer");
  auto ready = https_request(a->port(), "GET", "/readyz");
  CHECK((ready.status == 503 || ready.status == 200));
  CHECK(caught("writer"));
  CHECK(https_request(a->port(), "GET", "/readyz").status == 200);

  // A connection's own events: that connection closes, the next one is served. Under load the
  // last event of an earlier connection (its peer's close) can meet the fault first; that one
  // closes then, and the fault is armed once more for a fresh connection.
  bool closed = false;
  std::vector<std::unique_ptr<TlsConn>> open;  // kept open: closing one would be an event too
  for (int attempt = 0; attempt < 3 && !closed; ++attempt) {
    arm("event_loop");
    auto conn = TlsConn::connect(a->port());
    closed = !conn || conn->closed_within(5s);
    CHECK(caught("event_loop"));
    open.push_back(std::move(conn));
  }
  CHECK(closed);
  open.clear();

  // A timer on the loop (the pause before a fallback target): that exchange gets its 500.
  arm("timer");
  auto fell = chat("/v1/chat/completions", R"({"model":"fallback-503","messages":[]})");
  CHECK(fell.status == 500);
  CHECK(code_of(fell) == "internal_error");
  CHECK(caught("timer"));

  still_serving(*a);
  CHECK(chat("/v1/chat/completions", kChat).status == 200);
}

TEST_CASE("pre-authentication work is bounded: argon2 runs one at a time, then 503; connections per client",
          "[integration][hostile][V6.1.1][V15.1.3]") {
  TempDir dir;
  auto a = Airlock::start(dir / "data", {{"AIRLOCK_ARGON2_CONCURRENCY", "1"}, {"AIRLOCK_LOGIN_RATE_LIMIT", "10000"}});
  // 40 sign-ins at once, each an argon2id run of ~100 ms (unknown e-mails cost the same as real
  // ones): one runs at a time, the rest wait up to 2 s for the slot, then get 503 Retry-After.
  std::atomic<int> busy{0}, answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i)
    threads.emplace_back([&, i] {
      auto r = request_from_thread(a->port(), "POST", "/login",
                                   {{"Content-Type", "application/x-www-form-urlencoded"},
                                    {"Origin", "https://127.0.0.1:" + std::to_string(a->port())},
                                    {"Sec-Fetch-Site", "same-origin"}},
                                   "email=nobody" + std::to_string(i) + "%40example.com&password=wrong-password-guess");
      if (!r) return;
      if (r->status == 503) {
        if (r->headers["retry-after"] == "1") ++busy;
      } else {
        ++answered;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(busy > 0);
  CHECK(busy + answered == 40);
  CHECK(answered >= 2);  // the gate lets work through, one at a time
  still_serving(*a);

  // The fourth connection from one address is closed at accept.
  auto capped = Airlock::start(dir / "capped", {{"AIRLOCK_MAX_CONNECTIONS_PER_IP", "3"}});
  a = std::move(capped);
  std::vector<std::unique_ptr<TlsConn>> held;
  for (int i = 0; i < 3; ++i) {
    auto c = TlsConn::connect(a->port());
    REQUIRE(c);
    held.push_back(std::move(c));
  }
  auto fourth = TlsConn::connect(a->port());
  CHECK((!fourth || fourth->closed_within(5s)));
  held.pop_back();  // one ends: once the server has seen it go, a new one is let in again
  bool let_in = false;
  for (int i = 0; i < 100 && !let_in; ++i) {
    auto r = request_from_thread(a->port(), "GET", "/healthz", {}, "");
    let_in = r && r->status == 200;
    if (!let_in) std::this_thread::sleep_for(50ms);  // polling for the close to be seen, bounded
  }
  CHECK(let_in);
}

TEST_CASE("a store read that fails is an error, never an empty answer; security checks fail closed",
          "[integration][hostile][store_failure][V16.5.2][V16.5.3]") {
  TempDir dir;
  std::string fault = dir / "fault";
  { std::ofstream(fault).flush(); }
  auto a = Airlock::start(dir / "data", {{"AIRLOCK_TEST_BINARY", test_bin("airlock_faults")},
                                         {"AIRLOCK_TEST_FAULT_FILE", fault},
                                         {"AIRLOCK_LOCKOUT_FAILURES", "20"},
                                         {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"}});
  auto ob = owner_browser(*a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  Api owner{a->port(), ob.origin, "", ob.cookie, ""};
  owner.csrf = owner.get("/api/v1/me")["csrf_token"];
  REQUIRE(owner.call("POST", "/api/v1/me/tokens", R"({"name":"t","scope":"read","expires_in_days":1})").status == 201);
  REQUIRE(run_program({airlock_bin(), "key", "create", "--name=k"}, {{"AIRLOCK_DATA_DIR", dir / "data"}}).exit_code == 0);
  // Lets `skip` store reads pass and fails the next; true when that failure happened.
  auto arm = [&](int skip) { std::ofstream(fault, std::ios::trunc) << "store_read " << skip << "\n"; };
  auto fired = [&] {
    std::ifstream in(fault);
    std::string line;
    bool consumed = !std::getline(in, line) || line.empty();
    std::ofstream(fault, std::ios::trunc).flush();
    return consumed;
  };

  // Every list the API and the pages show: whichever read fails on the way, the answer is an
  // error (JSON with a code, or the console's error page), never a 200 that looks like "none".
  for (const char* path : {"/api/v1/keys", "/api/v1/users", "/api/v1/me/sessions", "/api/v1/me/tokens", "/api/v1/audit",
                           "/api/v1/providers", "/api/v1/models", "/api/v1/usage?range=24h"}) {
    for (int skip = 0; skip < 4; ++skip) {
      arm(skip);
      auto r = owner.call("GET", path);
      bool failed = fired();
      INFO(path << " with read " << skip << " failing: " << r.status << " " << r.body.substr(0, 200));
      if (failed) {
        CHECK(r.status >= 400);
        CHECK(!code_of(r).empty());
        CHECK(r.body.find("no_such") == std::string::npos);
        CHECK(r.body.find("SQL") == std::string::npos);
      } else {
        CHECK(r.status == 200);
      }
    }
  }
  // The session's own read failing is "try again", not "signed out": the cookie stays.
  arm(0);
  auto blip = ob.get("/keys");
  REQUIRE(fired());
  CHECK(blip.status == 503);
  CHECK(blip.headers["retry-after"] == "1");
  CHECK(blip.headers.count("set-cookie") == 0);
  CHECK(blip.headers.count("clear-site-data") == 0);
  CHECK(ob.get("/keys").status == 200);
  for (const char* path : {"/keys", "/users", "/account", "/audit", "/models", "/usage"}) {
    for (int skip = 0; skip < 4; ++skip) {
      arm(skip);
      auto r = ob.get(path);
      bool failed = fired();
      INFO(path << " with read " << skip << " failing: " << r.status);
      CHECK((failed ? r.status >= 400 : r.status == 200));
      if (failed && r.status == 500) CHECK(r.body.find("could not be read") != std::string::npos);
    }
  }

  // A step-up with the right password and code does not pass while any read on its way fails
  // (the lockout check among them: a store that cannot say counts as locked).
  auto& factor = known_factors().at({a->port(), "owner@example.com"});
  int refused = 0;
  for (int skip = 0; skip < 6; ++skip) {
    arm(skip);
    auto code = factor.backup.back();
    auto r = owner.call("POST", "/api/v1/me/confirm", json{{"password", kConsolePassword}, {"code", code}}.dump());
    bool failed = fired();
    INFO("confirm with read " << skip << " failing: " << r.status << " " << r.body);
    if (failed) {
      CHECK(r.status != 204);
      ++refused;
    } else {
      CHECK(r.status == 204);
      factor.backup.pop_back();  // spent
    }
  }
  CHECK(refused >= 2);  // at least the session's read and the lockout read were tried
  still_serving(*a);
  CHECK(owner.call("GET", "/api/v1/keys").status == 200);
}
