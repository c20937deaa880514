// Guardrails on the real binary: the policy from the provisioning file, keys with overrides made
// with the CLI, and the mock vendor's record of what it really received (ASVS V14.2.3: no
// sensitive data sent to untrusted parties; V14.2.4: per-class controls; V2.4.1: anti-automation;
// V16.3.3: refusals audited).
#include <catch2/catch_test_macros.hpp>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

// The mock models of kMockProvision with a guardrail policy added.
std::string provision_with(const std::string& guardrails) {
  std::string p = kMockProvision;
  auto end = p.rfind('}');
  return p.substr(0, end) + ",\"guardrails\":" + guardrails + "}";
}

const char* kPii[] = {"ann.lee@example.com", "4111 1111 1111 1111", "123-45-6789", "(202) 555-0178",
                      "AKIAIOSFODNN7EXAMPLE", "Bluebird"};

// Every PII sample that reached the vendor in any request so far.
std::vector<std::string> leaked(const MockUpstream& mock) {
  std::vector<std::string> out;
  for (const auto& r : mock.requests()) {
    auto body = r["body"].get<std::string>();
    for (const char* p : kPii)
      if (body.find(p) != std::string::npos) out.push_back(p);
  }
  return out;
}

std::string said(const std::string& text) { return json(text).dump(); }

}  // namespace

TEST_CASE("mask: every text the vendor reads is masked, in every endpoint's shape", "[integration][guardrails][V14.2.3]") {
  Gateway g(provision_with(R"({"requests":"mask","rules":[{"name":"codenames","keywords":["bluebird"],"label":"[CODENAME]"}]})"));
  auto key = g.key();
  const std::string pii = "Mail ann.lee@example.com, card 4111 1111 1111 1111, SSN 123-45-6789, call (202) 555-0178, "
                          "key AKIAIOSFODNN7EXAMPLE, project Bluebird.";

  auto chat = g.post("/v1/chat/completions", key,
                     R"({"model":"gpt-test","messages":[{"role":"system","content":)" + said(pii) +
                         R"(},{"role":"user","name":"ann.lee@example.com","content":[{"type":"text","text":)" + said(pii) +
                         R"(},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},)"
                         R"({"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":)" +
                         said(json{{"to", "ann.lee@example.com"}}.dump()) + R"(}}]},{"role":"tool","tool_call_id":"c1","content":)" +
                         said(pii) + "}]}");
  REQUIRE(chat.status == 200);
  auto sent = json::parse(g.mock->requests().back()["body"].get<std::string>());
  const std::string masked = "Mail [EMAIL], card [CARD], SSN [SSN], call [PHONE], key [SECRET], project [CODENAME].";
  CHECK(sent["messages"][0]["content"] == masked);
  CHECK(sent["messages"][1]["content"][0]["text"] == masked);
  CHECK(sent["messages"][1]["name"] == "[EMAIL]");
  CHECK(sent["messages"][1]["content"][1]["image_url"]["url"] == "data:image/png;base64,iVBORw0KGgo=");
  CHECK(json::parse(sent["messages"][2]["tool_calls"][0]["function"]["arguments"].get<std::string>())["to"] == "[EMAIL]");
  CHECK(sent["messages"][3]["content"] == masked);

  REQUIRE(g.post("/v1/completions", key, R"({"model":"gpt-test","prompt":[)" + said(pii) + "," + said("ok") + "]}").status == 200);
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["prompt"][0] == masked);
  REQUIRE(g.post("/v1/embeddings", key, R"({"model":"embed-test","input":)" + said(pii) + "}").status == 200);
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["input"] == masked);

  auto msg = g.post("/v1/messages", key,
                    R"({"model":"claude-test","max_tokens":64,"system":[{"type":"text","text":)" + said(pii) +
                        R"(}],"messages":[{"role":"user","content":)" + said(pii) +
                        R"(},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"lookup","input":{"who":{"mail":"ann.lee@example.com"}}}]},)"
                        R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":)" +
                        said(pii) + "}]}]}]}");
  REQUIRE(msg.status == 200);
  auto sent_msg = json::parse(g.mock->requests().back()["body"].get<std::string>());
  CHECK(sent_msg["system"][0]["text"] == masked);
  CHECK(sent_msg["messages"][0]["content"] == masked);
  CHECK(sent_msg["messages"][1]["content"][0]["input"]["who"]["mail"] == "[EMAIL]");
  CHECK(sent_msg["messages"][2]["content"][0]["content"][0]["text"] == masked);
  CHECK(leaked(*g.mock).empty());
}

TEST_CASE("block: the request is refused naming the rule, never quoting it, and nothing goes upstream",
          "[integration][guardrails][V14.2.3][V16.3.3]") {
  Gateway g(provision_with(R"({"requests":{"default":"monitor","secret":"block"},
      "rules":[{"name":"codenames","keywords":["bluebird"],"action":"block"}]})"));
  auto key = g.key();
  auto before = g.mock->requests().size();
  for (const char* text : {"our key is AKIAIOSFODNN7EXAMPLE", "status of project BLUEBIRD?"}) {
    INFO(text);
    auto r = g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[{"role":"user","content":)" + said(text) + "}]}");
    CHECK(r.status == 400);
    CHECK(error_code(r) == "content_policy_violation");
    CHECK(r.body.find("AKIA") == std::string::npos);
    CHECK(r.body.find("luebird") == std::string::npos);
    CHECK(r.body.find(std::string(text).find("AKIA") != std::string::npos ? "secret" : "codenames") != std::string::npos);
  }
  // Anthropic's dialect gets Anthropic's envelope.
  auto m = g.post("/v1/messages", key, R"({"model":"claude-test","max_tokens":8,"messages":[{"role":"user","content":"bluebird"}]})");
  CHECK(m.status == 400);
  auto body = json::parse(m.body);
  CHECK(body["type"] == "error");
  CHECK(body["error"]["type"] == "invalid_request_error");
  CHECK(g.mock->requests().size() == before);
  // Monitor leaves the text as it is.
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[{"role":"user","content":"mail ann.lee@example.com"}]})").status == 200);
  CHECK(g.mock->requests().back()["body"].get<std::string>().find("ann.lee@example.com") != std::string::npos);

  // Each block is audited as the key's denial, naming what blocked, never quoting it (V16.3.2).
  auto b = owner_browser(*g.airlock);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  Api owner{b.port, b.origin, "", b.cookie, ""};
  auto audit = owner.get("/api/v1/audit?action=authz.denied");
  std::vector<std::string> reasons;
  for (const auto& e : audit["data"]) reasons.push_back(e["details"].value("reason", ""));
  INFO(audit.dump());
  CHECK(std::count(reasons.begin(), reasons.end(), "content_policy_violation:secret") == 1);
  CHECK(std::count(reasons.begin(), reasons.end(), "content_policy_violation:codenames") == 2);
  CHECK(audit.dump().find("AKIA") == std::string::npos);
  CHECK(audit.dump().find("luebird") == std::string::npos);
}

TEST_CASE("a key's override loosens or tightens the organisation's policy", "[integration][guardrails]") {
  Gateway g(provision_with(R"({"requests":"mask"})"));
  auto strict = g.key();
  auto internal = g.key({"--guardrails=off"});
  auto blocking = g.key({"--guardrails=requests=block,responses=mask"});
  const std::string body = R"({"model":"gpt-test","messages":[{"role":"user","content":"mail ann.lee@example.com"}]})";

  REQUIRE(g.post("/v1/chat/completions", strict, body).status == 200);
  CHECK(g.mock->requests().back()["body"].get<std::string>().find("mail [EMAIL]") != std::string::npos);
  REQUIRE(g.post("/v1/chat/completions", internal, body).status == 200);
  CHECK(g.mock->requests().back()["body"].get<std::string>().find("ann.lee@example.com") != std::string::npos);
  auto refused = g.post("/v1/chat/completions", blocking, body);
  CHECK(refused.status == 400);
  CHECK(error_code(refused) == "content_policy_violation");

  // A bad override is refused when the key is made, with the reason.
  auto bad = run_program({airlock_bin(), "key", "create", "--name=x", "--guardrails=redact"}, {{"AIRLOCK_DATA_DIR", g.dir / "data"}});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("Guardrails") != std::string::npos);
}

TEST_CASE("a new install monitors: prompts reach the vendor unchanged", "[integration][guardrails]") {
  Gateway g(kMockProvision);
  auto key = g.key();
  REQUIRE(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[{"role":"user","content":"card 4111 1111 1111 1111"}]})").status == 200);
  CHECK(g.mock->requests().back()["body"].get<std::string>().find("4111 1111 1111 1111") != std::string::npos);
}

TEST_CASE("a provisioning file with a rule that does not compile is refused, naming it", "[integration][guardrails]") {
  TempDir dir;
  write_file(dir / "provision.json", R"({"guardrails":{"rules":[{"name":"ids","pattern":"(EMP-[0-9]+"}]}})");
  auto r = run_program({airlock_bin(), "config", "check"},
                       {{"AIRLOCK_DATA_DIR", dir / "data"}, {"AIRLOCK_PROVISION_FILE", dir / "provision.json"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("guardrails.rules[0].pattern") != std::string::npos);
  CHECK(r.err.find("'ids' does not compile") != std::string::npos);
  write_file(dir / "provision.json", R"({"guardrails":{"requests":"redact"}})");
  r = run_program({airlock_bin(), "config", "check"},
                  {{"AIRLOCK_DATA_DIR", dir / "data"}, {"AIRLOCK_PROVISION_FILE", dir / "provision.json"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("guardrails.requests") != std::string::npos);
}

namespace {

const std::string kEchoProvision = R"({
  "providers":[
    {"name":"mock","type":"openai","base_url":"MOCK/v1","api_key_file":"VENDOR_KEY_FILE","internal":true},
    {"name":"mock-anthropic","type":"anthropic","base_url":"MOCK","api_key_file":"VENDOR_KEY_FILE","internal":true}],
  "models":[
    {"name":"echo","targets":[{"provider":"mock","model":"echo"}]},
    {"name":"claude-echo","targets":[{"provider":"mock-anthropic","model":"echo"}]}],
  "guardrails":GUARDRAILS})";

std::string echo_provision(const std::string& guardrails) {
  std::string p = kEchoProvision;
  return p.replace(p.find("GUARDRAILS"), 10, guardrails);
}

// The text a streamed answer carries, as an SDK would assemble it, and whether every event parsed.
struct Streamed {
  std::string text;
  bool all_json = true;
  bool done = false;
  std::string error_code;
};

Streamed assemble(const std::string& body, bool anthropic) {
  Streamed s;
  std::size_t at = 0;
  while (at < body.size()) {
    auto end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    std::string ev = body.substr(at, end - at);
    at = end + 2;
    auto d = ev.find("data: ");
    if (d == std::string::npos) continue;
    std::string data = ev.substr(d + 6);
    if (data == "[DONE]") {
      s.done = true;
      continue;
    }
    auto j = json::parse(data, nullptr, false);
    if (j.is_discarded()) {
      s.all_json = false;
      continue;
    }
    if (j.contains("error")) s.error_code = anthropic ? j["error"].value("type", "") : j["error"].value("code", "");
    if (anthropic) {
      if (j.value("type", "") == "content_block_delta") s.text += j["delta"].value("text", "");
      if (j.value("type", "") == "message_stop") s.done = true;
    } else if (j.contains("choices") && !j["choices"].empty()) {
      const auto& delta = j["choices"][0]["delta"];
      if (delta.contains("content") && delta["content"].is_string()) s.text += delta["content"].get<std::string>();
    }
  }
  return s;
}

const std::string kSecretAnswer =
    "Sure. Write to ann.lee@example.com or use card 4111 1111 1111 1111; the key AKIAIOSFODNN7EXAMPLE is old.";
const std::string kMaskedAnswer = "Sure. Write to [EMAIL] or use card [CARD]; the key [SECRET] is old.";

std::string ask(const std::string& model, const std::string& text, bool stream) {
  return json{{"model", model}, {"max_tokens", 64}, {"stream", stream}, {"messages", {{{"role", "user"}, {"content", text}}}}}.dump();
}

}  // namespace

TEST_CASE("answers are masked whole and as streams, split across events, framing intact",
          "[integration][guardrails][V14.2.4]") {
  // Requests off, so the vendor echoes the raw text; the answer side masks.
  Gateway g(echo_provision(R"({"requests":"off","responses":"mask"})"));
  auto key = g.key();

  auto whole = g.post("/v1/chat/completions", key, ask("echo", kSecretAnswer, false));
  REQUIRE(whole.status == 200);
  CHECK(json::parse(whole.body)["choices"][0]["message"]["content"] == kMaskedAnswer);
  auto whole_msg = g.post("/v1/messages", key, ask("claude-echo", kSecretAnswer, false));
  REQUIRE(whole_msg.status == 200);
  CHECK(json::parse(whole_msg.body)["content"][0]["text"] == kMaskedAnswer);

  // The mock streams the echo in 5-byte events: every detection here is split across events.
  auto stream = g.post("/v1/chat/completions", key, ask("echo", kSecretAnswer, true));
  REQUIRE(stream.status == 200);
  auto s = assemble(stream.body, false);
  CHECK(s.all_json);
  CHECK(s.done);
  CHECK(s.text == kMaskedAnswer);
  CHECK(stream.body.find("4111") == std::string::npos);
  CHECK(stream.body.find("AKIA") == std::string::npos);

  auto astream = g.post("/v1/messages", key, ask("claude-echo", kSecretAnswer, true));
  REQUIRE(astream.status == 200);
  auto a = assemble(astream.body, true);
  CHECK(a.all_json);
  CHECK(a.done);
  CHECK(a.text == kMaskedAnswer);
  CHECK(astream.body.find("event: content_block_stop") != std::string::npos);
  CHECK(astream.body.find("ann.lee") == std::string::npos);
}

TEST_CASE("monitor passes answers byte for byte; block ends a stream with a policy error", "[integration][guardrails]") {
  Gateway g(echo_provision(R"({"requests":"off","responses":{"default":"monitor","secret":"block"}})"));
  auto key = g.key();
  auto quiet = g.post("/v1/chat/completions", key, ask("echo", "mail ann.lee@example.com please", true));
  REQUIRE(quiet.status == 200);
  CHECK(assemble(quiet.body, false).text == "mail ann.lee@example.com please");

  auto whole = g.post("/v1/chat/completions", key, ask("echo", kSecretAnswer, false));
  CHECK(whole.status == 400);
  CHECK(error_code(whole) == "content_policy_violation");
  CHECK(whole.body.find("AKIA") == std::string::npos);

  auto stream = g.post("/v1/chat/completions", key, ask("echo", kSecretAnswer, true));
  REQUIRE(stream.status == 200);  // the head went out before the key was seen
  auto s = assemble(stream.body, false);
  CHECK(s.error_code == "content_policy_violation");
  CHECK(stream.body.find("AKIA") == std::string::npos);
  CHECK(stream.body.find("EXAMPLE") == std::string::npos);
}

TEST_CASE("owners change the policy through the API (session and step-up), audited; a provisioned one is read-only",
          "[integration][guardrails][api][V8.2.1]") {
  std::string no_policy = kEchoProvision;
  no_policy.erase(no_policy.find(",\n  \"guardrails\":GUARDRAILS"));
  no_policy += "}";
  Gateway g(no_policy);
  auto b = owner_browser(*g.airlock);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  Api owner{b.port, b.origin, "", b.cookie, ""};
  owner.csrf = owner.get("/api/v1/me")["csrf_token"];

  auto now = owner.get("/api/v1/guardrails");
  CHECK(now["provisioned"] == false);
  CHECK(now["policy"]["requests"] == "monitor");
  CHECK(now["policy"]["responses"] == "monitor");

  auto bad = owner.call("PUT", "/api/v1/guardrails", R"({"rules":[{"name":"ids","pattern":"(EMP-"}]})");
  CHECK(bad.status == 422);
  CHECK(json::parse(bad.body)["error"]["code"] == "guardrails_invalid");
  CHECK(json::parse(bad.body)["error"]["field"] == "rules[0].pattern");
  auto wrong = owner.call("PUT", "/api/v1/guardrails", R"({"requests":"scrub"})");
  CHECK(wrong.status == 422);
  CHECK(json::parse(wrong.body)["error"]["field"] == "requests");

  auto key = g.key();
  auto chat = [&] {
    REQUIRE(g.post("/v1/chat/completions", key, ask("echo", "mail ann.lee@example.com", false)).status == 200);
    return json::parse(g.mock->requests().back()["body"].get<std::string>())["messages"][0]["content"].get<std::string>();
  };
  CHECK(chat() == "mail ann.lee@example.com");
  auto set = owner.call("PUT", "/api/v1/guardrails", R"({"requests":"mask","responses":{"default":"monitor","secret":"block"}})");
  REQUIRE(set.status == 200);
  CHECK(json::parse(set.body)["policy"]["responses"]["secret"] == "block");
  CHECK(chat() == "mail [EMAIL]");  // the next request, without a restart

  auto audit = owner.get("/api/v1/audit?action=guardrails.change");
  REQUIRE(audit["data"].size() == 1);
  CHECK(audit["data"][0]["details"].dump().find("mask") != std::string::npos);

  // A token cannot change it, even a read_write one; nor can anyone while the file holds it.
  auto made = owner.call("POST", "/api/v1/me/tokens", R"({"name":"bot","scope":"read_write","expires_in_days":1})");
  REQUIRE(made.status == 201);
  Api bot{b.port, b.origin, json::parse(made.body)["token"].get<std::string>(), "", ""};
  auto by_token = bot.call("PUT", "/api/v1/guardrails", R"({"requests":"off"})");
  CHECK(by_token.status == 403);
  CHECK(bot.get("/api/v1/guardrails")["policy"]["requests"] == "mask");
  // Metrics count by detector and action: the first request and its echoed answer were monitored;
  // the second request was masked (so its echo carried only the label).
  auto metrics = bot.call("GET", "/api/v1/metrics").body;
  CHECK(metrics.find("airlock_guardrail_detections_total{detector=\"email\",action=\"monitor\"} 2\n") != std::string::npos);
  CHECK(metrics.find("airlock_guardrail_detections_total{detector=\"email\",action=\"mask\"} 1\n") != std::string::npos);
  CHECK(metrics.find("airlock_guardrail_detections_total{detector=\"card\",action=\"block\"} 0\n") != std::string::npos);
  CHECK(metrics.find("ann.lee") == std::string::npos);

  Gateway fixed(echo_provision(R"({"requests":"mask"})"));
  auto fb = owner_browser(*fixed.airlock);
  REQUIRE(sign_in(fb, "owner@example.com").status == 303);
  Api fixed_owner{fb.port, fb.origin, "", fb.cookie, ""};
  fixed_owner.csrf = fixed_owner.get("/api/v1/me")["csrf_token"];
  CHECK(fixed_owner.get("/api/v1/guardrails")["provisioned"] == true);
  auto refused = fixed_owner.call("PUT", "/api/v1/guardrails", R"({"requests":"off"})");
  CHECK(refused.status == 409);
  CHECK(json::parse(refused.body)["error"]["code"] == "provisioned");
}

TEST_CASE("input caps refuse with a clear 400; 10 violations in a minute block the key and the address; admins lift",
          "[integration][guardrails][waf][V2.4.1]") {
  Gateway g(provision_with(R"({"requests":"monitor","limits":{"max_urls":1,"max_phones":2},
                               "waf":{"violations_per_minute":10,"block_seconds":600}})"));
  auto key = g.key();
  auto tight = g.key({"--guardrails=max_chars=10"});
  auto chat = [&](const std::string& k, const std::string& text) {
    return g.post("/v1/chat/completions", k, json{{"model", "gpt-test"}, {"messages", {{{"role", "user"}, {"content", text}}}}}.dump());
  };
  // The caps, each with its code; a key's own cap on top of the policy's.
  auto urls = chat(key, "see https://a.example and http://b.example");
  CHECK(urls.status == 400);
  CHECK(error_code(urls) == "too_many_urls");
  auto phones = chat(key, "call (202) 555-0178, +44 20 7946 0958 or 1-800-555-0199");
  CHECK(error_code(phones) == "too_many_phone_numbers");
  auto longer = chat(tight, "eleven chars");
  CHECK(error_code(longer) == "input_too_long");
  CHECK(chat(tight, "ten chars!").status == 200);  // the boundary: exactly 10 code points
  CHECK(chat(tight, "日本語のテキスト").status == 200);  // 8 code points, 24 bytes: characters, not bytes
  CHECK(chat(key, "one link: https://a.example").status == 200);

  // 3 violations so far from this address (2 by `key`, 1 by `tight`); 7 more by `key`, one of them
  // a body that is not JSON, make 9 for the key and 10 for the address.
  for (int i = 0; i < 6; ++i) CHECK(chat(key, "https://a.example https://b.example").status == 400);
  CHECK(g.post("/v1/chat/completions", key, "{not json").status == 400);
  auto blocked = chat(key, "hello");
  CHECK(blocked.status == 429);
  CHECK(error_code(blocked) == "temporarily_blocked");
  REQUIRE(blocked.headers.count("retry-after"));
  auto wait = std::stoi(blocked.headers.at("retry-after"));
  CHECK(wait > 590);
  CHECK(wait <= 600);
  // The address is blocked whatever key it uses, before the key is even checked.
  auto other = g.key();
  CHECK(chat(other, "hello").status == 429);
  CHECK(chat("alk_wrongwrong_" + std::string(43, 'x'), "hello").status == 429);

  auto b = owner_browser(*g.airlock);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  Api owner{b.port, b.origin, "", b.cookie, ""};
  owner.csrf = owner.get("/api/v1/me")["csrf_token"];
  auto now = owner.get("/api/v1/waf/blocks");
  REQUIRE(now["data"].size() == 1);
  CHECK(now["data"][0]["subject"] == "ip:127.0.0.1");
  auto audit = owner.get("/api/v1/audit?action=waf.block");
  REQUIRE(audit["data"].size() == 1);  // once per block, not per refused request
  CHECK(audit["data"][0]["details"]["violations"] == 10);

  // The console shows it with a Lift button; lifting is audited and takes effect at once.
  auto page = b.get("/settings");
  CHECK(page.body.find("ip:127.0.0.1") != std::string::npos);
  CHECK(owner.call("POST", "/api/v1/waf/lift", R"({"subject":"ip:10.9.9.9"})").status == 404);
  REQUIRE(owner.call("POST", "/api/v1/waf/lift", R"({"subject":"ip:127.0.0.1"})").status == 200);
  CHECK(owner.get("/api/v1/audit?action=waf.lift")["data"].size() == 1);
  CHECK(chat(other, "hello").status == 200);
  // `key` had 9: its 10th violation blocks the key alone (the address's count started again).
  CHECK(chat(key, "https://a.example https://b.example").status == 400);
  CHECK(chat(key, "hello").status == 429);
  CHECK(chat(other, "hello").status == 200);
}
