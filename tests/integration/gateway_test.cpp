// The gateway surface on the real binary: real TLS from the client, a real mock vendor process,
// keys made with the CLI on the same data dir.
#include <catch2/catch_test_macros.hpp>
#include <fstream>

#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

std::string code_of(const HttpReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) return "";
  if (j.contains("type") && j["type"] == "error") return j["error"].value("type", "");  // Anthropic: type only
  return j.contains("error") ? j["error"].value("code", "") : "";
}

const std::string kChat = R"({"model":"gpt-test","messages":[{"role":"user","content":"hi"}]})";

}  // namespace

TEST_CASE("chat, completions, embeddings, messages and models go through to the vendor and back",
          "[integration][gateway]") {
  Gateway g(kMockProvision);
  auto key = g.key();

  auto chat = g.post("/v1/chat/completions", key, kChat);
  REQUIRE(chat.status == 200);
  auto j = json::parse(chat.body);
  CHECK(j["choices"][0]["message"]["content"] == "Hello from mock.");
  CHECK(j["usage"]["total_tokens"] == 30);
  CHECK(!chat.headers.at("x-request-id").empty());

  // Unknown fields, tools and response_format reach the vendor untouched; only "model" is rewritten.
  auto rich = json::parse(R"({"model":"gpt-test","messages":[{"role":"user","content":"x"}],"n":2,"logprobs":true,
    "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}],
    "tool_choice":"auto","response_format":{"type":"json_object"},"x_vendor_extension":{"deep":[1,2.5,"three",null]}})");
  // Sent as written (not re-serialized by the test), with "model" first and fields out of order.
  const std::string rich_text = R"({"model":"gpt-test","x_vendor_extension":{"deep":[1,2.5,"three",null]},"n":2,)"
                                R"("messages":[{"role":"user","content":"x"}],"logprobs":true,"tools":[{"type":"function",)"
                                R"("function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}],)"
                                R"("tool_choice":"auto","response_format":{"type":"json_object"}})";
  REQUIRE(json::parse(rich_text) == rich);
  REQUIRE(g.post("/v1/chat/completions", key, rich_text).status == 200);
  std::string raw_sent = g.mock->requests().back()["body"].get<std::string>();
  auto sent = json::parse(raw_sent);
  // Field order as sent (only the model's value changed), so what was checked is what goes on.
  CHECK(raw_sent.find("\"model\"") < raw_sent.find("\"x_vendor_extension\""));
  CHECK(raw_sent.find("\"x_vendor_extension\"") < raw_sent.find("\"n\""));
  CHECK(raw_sent.find("\"messages\"") < raw_sent.find("\"tools\""));
  CHECK(sent["model"] == "gpt-upstream");
  for (const char* field : {"messages", "n", "logprobs", "tools", "tool_choice", "response_format", "x_vendor_extension"})
    CHECK(sent[field] == rich[field]);

  auto completion = g.post("/v1/completions", key, R"({"model":"gpt-test","prompt":"say hi"})");
  CHECK(completion.status == 200);
  auto emb = g.post("/v1/embeddings", key, R"({"model":"embed-test","input":"x","encoding_format":"base64"})");
  REQUIRE(emb.status == 200);
  CHECK(json::parse(emb.body)["data"][0]["embedding"].is_string());  // base64 passed through untouched

  auto models = g.get("/v1/models", key);
  REQUIRE(models.status == 200);
  std::vector<std::string> ids;
  auto listed = json::parse(models.body);  // kept: a range-for over a temporary's member would dangle
  for (const auto& m : listed["data"]) ids.push_back(m["id"].get<std::string>());
  INFO(models.body);
  CHECK(std::find(ids.begin(), ids.end(), std::string("gpt-test")) != ids.end());
  CHECK(g.get("/v1/models/gpt-test", key).status == 200);
  auto slashed = g.get("/v1/models/org/slashed-name", key);  // vLLM/OpenRouter-style ids
  CHECK(slashed.status == 200);
  CHECK(json::parse(slashed.body)["id"] == "org/slashed-name");
  auto missing = g.get("/v1/models/nope", key);
  CHECK(missing.status == 404);
  CHECK(code_of(missing) == "model_not_found");

  // Anthropic: the key in x-api-key (SDK 0.x) or as Bearer (1.x); anthropic-version passed on.
  for (auto headers : std::vector<std::map<std::string, std::string>>{{{"x-api-key", key}, {"anthropic-version", "2023-06-01"}}, {}}) {
    auto msg = g.post("/v1/messages", headers.empty() ? key : "", R"({"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})", headers);
    REQUIRE(msg.status == 200);
    CHECK(json::parse(msg.body)["content"][0]["text"] == "Hello from mock.");
    CHECK(!msg.headers.at("request-id").empty());
  }
  CHECK(g.mock->requests().back()["headers"]["anthropic-version"] == "2023-06-01");

  // The client's key never goes upstream; the vendor key does, and never comes back.
  for (const auto& r : g.mock->requests()) {
    auto all = r.dump();
    CHECK(all.find(key.substr(4, 8)) == std::string::npos);
    const auto& h = r["headers"];
    bool vendor = h.value("authorization", "") == std::string("Bearer ") + kVendorKey || h.value("x-api-key", "") == kVendorKey;
    CHECK(vendor);
    CHECK(!h.contains("cookie"));
  }
  for (const auto& reply : {chat, completion, emb, models}) CHECK(reply.raw.find(kVendorKey) == std::string::npos);
  for (const auto& line : g.airlock->log_lines()) {
    CHECK(line.find(kVendorKey) == std::string::npos);
    CHECK(line.find(key.substr(13)) == std::string::npos);
  }
}

TEST_CASE("keys: wrong, revoked, out of scope, model not allowed, from the wrong address", "[integration][gateway][keys][V8.2.1]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  auto narrow = g.key({"--models=gpt-test", "--scopes=chat"});
  auto elsewhere = g.key({"--ip=10.0.0.0/8,2001:db8::/32"});

  struct Case {
    std::string what, path, key, body;
    std::map<std::string, std::string> headers;
    int status;
    std::string code;
  };
  std::string tampered = key.substr(0, key.size() - 1) + (key.back() == 'a' ? "b" : "a");
  for (const auto& c : std::vector<Case>{
           {"no key", "/v1/chat/completions", "", kChat, {}, 401, "missing_api_key"},
           {"tampered secret", "/v1/chat/completions", tampered, kChat, {}, 401, "invalid_api_key"},
           {"a console access token", "/v1/chat/completions", "alk_pat_abcdefgh_" + std::string(43, 'A'), kChat, {}, 401, "invalid_api_key"},
           {"Basic auth", "/v1/chat/completions", "", kChat, {{"Authorization", "Basic YWxrOng="}}, 401, "invalid_api_key"},
           {"model outside the allow-list", "/v1/chat/completions", narrow, R"({"model":"claude-test","messages":[]})", {}, 403, "model_not_allowed"},
           {"scope not granted", "/v1/embeddings", narrow, R"({"model":"gpt-test","input":"x"})", {}, 403, "scope_not_allowed"},
           {"IP not on the list", "/v1/chat/completions", elsewhere, kChat, {}, 403, "ip_not_allowed"},
           {"unknown model", "/v1/chat/completions", key, R"({"model":"gpt-nope","messages":[]})", {}, 404, "model_not_found"},
           {"no model", "/v1/chat/completions", key, R"({"messages":[]})", {}, 400, "model_required"},
           {"duplicate model key", "/v1/chat/completions", narrow, R"({"model":"gpt-test","model":"claude-test"})", {}, 400, "duplicate_key"},
           {"duplicate via an escape", "/v1/chat/completions", narrow, R"({"model":"gpt-test","\u006dodel":"claude-test"})", {}, 400, "duplicate_key"},
           {"not JSON", "/v1/chat/completions", key, "{", {}, 400, "invalid_json"},
           {"two different keys (V15.3.7)", "/v1/chat/completions", "", kChat, {{"Authorization", "Bearer " + key}, {"x-api-key", narrow}}, 400, "ambiguous_credentials"},
       }) {
    INFO(c.what);
    auto r = g.post(c.path, c.key, c.body, c.headers);
    CHECK(r.status == c.status);
    CHECK(code_of(r) == c.code);
  }
  // Every /v1 route asks for a key first, whatever else is wrong with the request.
  for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/v1/chat/completions"}, {"POST", "/v1/completions"}, {"POST", "/v1/embeddings"},
           {"POST", "/v1/messages"}, {"GET", "/v1/models"}, {"GET", "/v1/models/gpt-test"}}) {
    INFO(method << " " << path);
    auto r = https_request(g.airlock->port(), method, path, {{"Content-Type", "application/json"}}, method == "POST" ? "{" : "");
    CHECK(r.status == 401);
  }
  CHECK(g.post("/v1/chat/completions", narrow, kChat).status == 200);
  CHECK(g.post("/v1/chat/completions", "", kChat, {{"Authorization", "Bearer " + narrow}, {"x-api-key", narrow}}).status == 200);  // the same key twice: one
  {
    // A repeated Authorization header: which copy counts is where two parsers could differ.
    auto c2 = TlsConn::connect(g.airlock->port());
    REQUIRE(c2);
    REQUIRE(c2->write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + narrow +
                      "\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(kChat.size()) + "\r\n\r\n" + kChat));
    auto reply = parse_reply(c2->read_all(5s));
    REQUIRE(reply);
    CHECK(reply->status == 400);
    CHECK(code_of(*reply) == "ambiguous_credentials");
  }
  auto narrow_models = json::parse(g.get("/v1/models", key).body)["data"].size();
  CHECK(narrow_models > 1);
  // The models list only shows what the key may use... and a narrow key without the models scope gets none.
  CHECK(g.get("/v1/models", narrow).status == 403);
  CHECK(g.mock->requests().size() == 2);  // nothing refused above reached the vendor

  // Revocation on the host holds from the very next request.
  auto list = run_program({airlock_bin(), "key", "list"}, {{"AIRLOCK_DATA_DIR", g.dir / "data"}});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find(key.substr(0, 13) + "…") != std::string::npos);
  CHECK(list.out.find(key.substr(13)) == std::string::npos);
  REQUIRE(g.post("/v1/chat/completions", key, kChat).status == 200);
  auto revoked = run_program({airlock_bin(), "key", "revoke", "1"}, {{"AIRLOCK_DATA_DIR", g.dir / "data"}});
  INFO(revoked.err);
  REQUIRE(revoked.exit_code == 0);
  auto after = g.post("/v1/chat/completions", key, kChat);
  CHECK(after.status == 401);
  CHECK(code_of(after) == "invalid_api_key");
}

TEST_CASE("rpm and budgets answer 429 with Retry-After and x-ratelimit headers", "[integration][gateway][limits]") {
  Gateway g(kMockProvision);
  auto limited = g.key({"--rpm=3"});
  for (int i = 0; i < 3; ++i) {
    auto r = g.post("/v1/chat/completions", limited, kChat);
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("x-ratelimit-limit-requests") == "3");
    CHECK(r.headers.at("x-ratelimit-remaining-requests") == std::to_string(2 - i));
  }
  auto refused = g.post("/v1/chat/completions", limited, kChat);
  CHECK(refused.status == 429);
  CHECK(code_of(refused) == "rate_limit_exceeded");
  auto ra = std::stoi(refused.headers.at("retry-after"));
  CHECK(ra >= 1);
  CHECK(ra <= 61);

  auto budget = g.key({"--monthly-requests=2"});
  CHECK(g.post("/v1/chat/completions", budget, kChat).status == 200);
  CHECK(g.post("/v1/chat/completions", budget, kChat).status == 200);
  auto spent = g.post("/v1/chat/completions", budget, kChat);
  CHECK(spent.status == 429);
  CHECK(code_of(spent) == "insufficient_quota");
  CHECK(spent.headers.at("x-should-retry") == "false");

  auto capped = g.key({"--max-tokens=100"});
  auto too_big = g.post("/v1/chat/completions", capped, R"({"model":"gpt-test","max_tokens":101,"messages":[]})");
  CHECK(too_big.status == 400);
  CHECK(code_of(too_big) == "max_tokens_too_large");
  REQUIRE(g.post("/v1/chat/completions", capped, R"({"model":"gpt-test","messages":[]})").status == 200);
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["max_tokens"] == 100);
}

TEST_CASE("fallback to the next target on 5xx, 429 and connection errors, never on a client error",
          "[integration][gateway][fallback]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  for (const char* model : {"fallback-503", "fallback-429", "fallback-dead"}) {
    INFO(model);
    auto r = g.post("/v1/chat/completions", key, json{{"model", model}, {"messages", json::array()}}.dump());
    CHECK(r.status == 200);
    CHECK(json::parse(r.body)["model"] == "second");
  }
  auto bad = g.post("/v1/chat/completions", key, R"({"model":"no-fallback-400","messages":[]})");
  CHECK(bad.status == 400);  // the vendor's own refusal, passed on
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["model"] == "fail-400");
  auto all = g.post("/v1/chat/completions", key, R"({"model":"all-fail","messages":[]})");
  CHECK(all.status == 502);
  CHECK(code_of(all) == "upstream_error");
  auto refused = g.post("/v1/chat/completions", key, R"({"model":"vendor-refuses","messages":[]})");
  CHECK(refused.status == 502);
  CHECK(code_of(refused) == "upstream_auth_error");
  CHECK(refused.body.find("mock failure") == std::string::npos);
  auto limited = g.post("/v1/chat/completions", key, R"({"model":"only-429","messages":[]})");
  CHECK(limited.status == 429);
  CHECK(limited.headers.count("retry-after") == 1);
  // The dead provider's breaker: it already failed once above (fallback-dead); four more failures
  // open it, and then it is skipped without a connection attempt.
  for (int i = 0; i < 4; ++i) {
    auto r = g.post("/v1/chat/completions", key, R"({"model":"only-dead","messages":[]})");
    CHECK(r.status == 502);
    CHECK(code_of(r) == "upstream_unreachable");
  }
  auto open = g.post("/v1/chat/completions", key, R"({"model":"only-dead","messages":[]})");
  CHECK(open.status == 503);
  CHECK(code_of(open) == "upstream_unavailable");
  CHECK(open.headers.count("retry-after") == 1);
  auto around = g.post("/v1/chat/completions", key, R"({"model":"fallback-dead","messages":[]})");
  CHECK(around.status == 200);  // the next target still serves
  auto hang = g.post("/v1/chat/completions", key, R"({"model":"gpt-hang","messages":[]})");
  CHECK(hang.status == 504);
  CHECK(code_of(hang) == "upstream_timeout");
}

TEST_CASE("streams are relayed event by event, usage chunk asked for and removed, failures end well-formed",
          "[integration][gateway][stream]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  auto send = [&](TlsConn& c, const std::string& body, const std::string& path = "/v1/chat/completions") {
    REQUIRE(c.write("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  };

  {
    auto c = TlsConn::connect(g.airlock->port());
    REQUIRE(c);
    send(*c, R"({"model":"gpt-test","stream":true,"messages":[]})");
    std::string got;
    REQUIRE(c->read_until(&got, "data: [DONE]"));
    CHECK(got.find("HTTP/1.1 200") == 0);
    CHECK(got.find("text/event-stream") != std::string::npos);
    CHECK(got.find("tok4") != std::string::npos);
    CHECK(got.find("\"usage\"") == std::string::npos);  // we asked for it; the client did not
    auto up = json::parse(g.mock->requests().back()["body"].get<std::string>());
    CHECK(up["stream_options"]["include_usage"] == true);
  }
  {
    auto c = TlsConn::connect(g.airlock->port());
    send(*c, R"({"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[]})");
    std::string got;
    REQUIRE(c->read_until(&got, "data: [DONE]"));
    CHECK(got.find("\"usage\"") != std::string::npos);  // the client asked: it gets it
  }
  {
    // Event by event: the first event arrives long before the upstream's last (5 gaps of 300 ms;
    // two of them are enough to show it, and leave room for a late test thread).
    auto c = TlsConn::connect(g.airlock->port());
    auto t0 = std::chrono::steady_clock::now();
    send(*c, R"({"model":"gpt-slow-stream","stream":true,"messages":[]})");
    std::string got;
    REQUIRE(c->read_until(&got, "\"role\":\"assistant\""));
    auto first = std::chrono::steady_clock::now() - t0;
    REQUIRE(c->read_until(&got, "data: [DONE]"));
    auto last = std::chrono::steady_clock::now() - t0;
    CHECK(last - first >= std::chrono::milliseconds(600));
  }
  {
    // Anthropic stream: every event with its event: line, in order.
    auto c = TlsConn::connect(g.airlock->port());
    send(*c, R"({"model":"claude-test","max_tokens":10,"stream":true,"messages":[]})", "/v1/messages");
    std::string got;
    REQUIRE(c->read_until(&got, "event: message_stop"));
    auto start = got.find("event: message_start"), delta = got.find("event: message_delta");
    CHECK(start != std::string::npos);
    CHECK(delta > start);
  }
  {
    // An upstream that breaks mid-stream: the client's stream ends with an error event.
    auto c = TlsConn::connect(g.airlock->port());
    send(*c, R"({"model":"gpt-break","stream":true,"messages":[]})");
    std::string got;
    REQUIRE(c->read_until(&got, "upstream_stream_error"));
    CHECK(got.find("data: [DONE]") == std::string::npos);
  }
  {
    // A client that leaves before any answer: the upstream request is cancelled and the access
    // line says 499 (client closed request).
    auto before = g.mock->stats().value("cancelled", 0);
    auto seen = g.mock->stats().value("requests", 0);
    {
      auto c = TlsConn::connect(g.airlock->port());
      REQUIRE(c);
      const std::string body = R"({"model":"gpt-hang","messages":[]})";
      REQUIRE(c->write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                       "\r\nX-Request-Id: leaves-early\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body));
      // Leave once the upstream has the request (the mock counts it before it starts to hang).
      bool upstream = false;
      for (int i = 0; i < 3000 && !upstream; ++i) {
        upstream = g.mock->stats().value("requests", 0) > seen;
        if (!upstream) std::this_thread::sleep_for(10ms);
      }
      REQUIRE(upstream);
    }  // closed here
    auto line = g.airlock->wait_for_log([](const json& j) { return j.value("request_id", "") == "leaves-early"; });
    REQUIRE(line);
    CHECK((*line)["status"] == 499);
    bool cancelled = false;
    for (int i = 0; i < 3000 && !cancelled; ++i) {  // up to 30 s: a deadline, not a wait
      cancelled = g.mock->stats().value("cancelled", 0) > before;
      if (!cancelled) std::this_thread::sleep_for(10ms);
    }
    CHECK(cancelled);
  }
  {
    // A client that leaves cancels the upstream request.
    auto before = g.mock->stats().value("cancelled", 0);
    {
      auto c = TlsConn::connect(g.airlock->port());
      send(*c, R"({"model":"gpt-slow-stream","stream":true,"messages":[]})");
      std::string got;
      REQUIRE(c->read_until(&got, "tok1"));
    }  // closed here
    bool cancelled = false;
    for (int i = 0; i < 3000 && !cancelled; ++i) {  // up to 30 s: a deadline, not a wait
      cancelled = g.mock->stats().value("cancelled", 0) > before;
      if (!cancelled) std::this_thread::sleep_for(10ms);
    }
    CHECK(cancelled);
  }
}

TEST_CASE("one keep-alive pool per provider: 1,000 requests use a handful of upstream connections",
          "[integration][gateway][pool]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  g.mock->reset();
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&] {
      auto c = TlsConn::connect(g.airlock->port());
      if (!c) return;
      for (int i = 0; i < 250; ++i) {
        if (!c->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
                      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(kChat.size()) + "\r\n\r\n" + kChat))
          return;
        auto r = c->read_response();
        if (!r || r->status != 200) return;
        ++ok;
      }
    });
  for (auto& t : clients) t.join();
  CHECK(ok == 1000);
  auto stats = g.mock->stats();
  CHECK(stats["requests"] == 1000);
  CHECK(stats["connections"].get<int>() <= 8);
}

TEST_CASE("a bad provisioning file stops the start with every problem listed", "[integration][gateway][provision]") {
  TempDir dir;
  write_file(dir / "p.json", R"({"providers":[
      {"name":"a","type":"openai","base_url":"http://api.example.com/v1","api_key":"sk-inline"},
      {"name":"b","type":"azure","base_url":"https://user:pw@x.example/v1","api_key_env":"AIRLOCK_TEST_UNSET_VAR",
       "extra_headers":{"Authorization":"x","X-Ok":"fine","Bad\nName":"v"}},
      {"name":"a","type":"openai","base_url":"https://x.example/v1","timeouts":{"connect_ms":0},"surprise":1}],
    "models":[{"name":"m","targets":[{"provider":"nope","model":"x"}]},{"name":"n","targets":[]}]})");
  auto r = Airlock::start_expect_exit(dir / "data", {{"AIRLOCK_PROVISION_FILE", dir / "p.json"}});
  CHECK(r.exit_code == 2);
  for (const char* expected : {"providers[0].base_url: plain http sends the vendor key unencrypted", "providers[0].api_key: secrets are never inline",
                               "providers[1].type: must be openai or anthropic", "providers[1].base_url: must not contain credentials",
                               "providers[1].api_key_env: the environment variable AIRLOCK_TEST_UNSET_VAR is not set",
                               "providers[1].extra_headers.Authorization: is set by Airlock itself",
                               "is not a header name", "providers[2].name: 'a' is declared twice",
                               "providers[2].timeouts.connect_ms: must be a whole number", "providers[2].surprise: is not a known field",
                               "models[0].targets[0].provider: 'nope' is not declared", "models[1].targets: must be a list"}) {
    INFO(expected << "\n" << r.err);
    CHECK(r.err.find(expected) != std::string::npos);
  }
  CHECK(r.err.find("sk-inline") == std::string::npos);
}

TEST_CASE("SIGHUP applies the provisioning file again; a bad one changes nothing and serving goes on",
          "[integration][gateway][provision]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  auto later = R"({"model":"added-later","messages":[]})";
  CHECK(g.post("/v1/chat/completions", key, later).status == 404);
  // The same file with one more model: applied on SIGHUP, served from the next request.
  std::ifstream in(g.dir / "provision.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto at = text.find("\"models\":[");
  REQUIRE(at != std::string::npos);
  text.insert(at + 10, R"({"name":"added-later","targets":[{"provider":"mock","model":"later-upstream"}]},)");
  write_file(g.dir / "provision.json", text);
  g.airlock->send_signal(SIGHUP);
  REQUIRE(g.airlock->wait_for_log([](const json& j) { return j.value("msg", "") == "reloaded"; }));
  auto served = g.post("/v1/chat/completions", key, later);
  CHECK(served.status == 200);
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["model"] == "later-upstream");
  // A broken file on reload: refused with its problems, nothing changed, still serving.
  write_file(g.dir / "provision.json", R"({"providers":[{"name":"x","type":"azure"}]})");
  g.airlock->send_signal(SIGHUP);
  REQUIRE(g.airlock->wait_for_log([](const json& j) { return j.value("msg", "") == "reload failed; serving as before"; }));
  CHECK(g.post("/v1/chat/completions", key, later).status == 200);
  CHECK(https_request(g.airlock->port(), "GET", "/healthz").status == 200);
}

TEST_CASE("after gateway traffic (pooled upstream connections, a stream) SIGTERM still exits 0", "[integration][gateway][shutdown]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  for (int i = 0; i < 3; ++i) REQUIRE(g.post("/v1/chat/completions", key, kChat).status == 200);
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","stream":true,"messages":[]})").status == 200);
  // The pools now hold idle keep-alive connections on the event loops; they must close with them.
  g.airlock->send_signal(SIGTERM);
  CHECK(g.airlock->wait_exit(15s) == 0);
  CHECK(g.airlock->all_output().find("\"msg\":\"stopped\"") != std::string::npos);
}
