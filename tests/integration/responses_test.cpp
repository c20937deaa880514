// The Responses API on the real binary with the mock vendor: create (plain and streamed, relayed
// byte for byte), the by-id calls for the key that created the response and 404 for any other,
// previous_response_id, input_tokens, the scope, and ownership kept across a restart.
#include <catch2/catch_test_macros.hpp>
#include <csignal>

#include "gateway/sse.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

TEST_CASE("Responses API: a stored response is its key's alone, at the provider that holds it",
          "[integration][gateway][responses]") {
  Gateway g(kMockProvision);
  auto a = g.key();
  auto b = g.key();
  auto r = g.post("/v1/responses", a, R"({"model":"gpt-test","input":"Hello"})");
  REQUIRE(r.status == 200);
  auto made = json::parse(r.body);
  std::string id = made["id"];
  CHECK(id.rfind("resp_mock", 0) == 0);
  CHECK(made["usage"]["input_tokens"] == 12);
  CHECK(g.mock->requests().back()["path"] == "/v1/responses");
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["model"] == "gpt-upstream");

  auto mine = g.get("/v1/responses/" + id, a);
  REQUIRE(mine.status == 200);
  CHECK(json::parse(mine.body)["id"] == id);
  CHECK(g.mock->requests().back()["method"] == "GET");
  CHECK(g.mock->requests().back()["headers"]["authorization"] == std::string("Bearer ") + kVendorKey);
  // Another key, an unknown id and a malformed one: the same 404, and nothing goes upstream.
  auto before = g.mock->requests().size();
  for (const auto& [who, path] : std::vector<std::pair<std::string, std::string>>{
           {b, "/v1/responses/" + id}, {a, "/v1/responses/resp_unknown"}, {a, "/v1/responses/resp%2F..%2Fx"}}) {
    auto no = g.get(path, who);
    CHECK(no.status == 404);
    CHECK(error_code(no) == "not_found");
  }
  CHECK(https_request(g.airlock->port(), "DELETE", "/v1/responses/" + id, {{"Authorization", "Bearer " + b}}).status == 404);
  CHECK(g.post("/v1/responses/" + id + "/cancel", b, "").status == 404);
  CHECK(g.get("/v1/responses/" + id + "/input_items", b).status == 404);
  CHECK(g.mock->requests().size() == before);

  // previous_response_id: another key's is refused naming the field; the owner's goes through.
  auto foreign = g.post("/v1/responses", b, json{{"model", "gpt-test"}, {"input", "more"}, {"previous_response_id", id}}.dump());
  CHECK(foreign.status == 400);
  CHECK(error_code(foreign) == "previous_response_not_found");
  CHECK(json::parse(foreign.body)["error"]["param"] == "previous_response_id");
  CHECK(g.post("/v1/responses", a, json{{"model", "gpt-test"}, {"input", "more"}, {"previous_response_id", id}}.dump()).status == 200);

  auto items = g.get("/v1/responses/" + id + "/input_items?limit=5&order=asc", a);
  REQUIRE(items.status == 200);
  CHECK(json::parse(items.body)["data"][0]["content"][0]["text"] == "Hello");
  auto cancelled = g.post("/v1/responses/" + id + "/cancel", a, "");
  REQUIRE(cancelled.status == 200);
  CHECK(json::parse(cancelled.body)["status"] == "cancelled");
  auto tokens = g.post("/v1/responses/input_tokens", a, R"({"model":"gpt-test","input":"Hello"})");
  REQUIRE(tokens.status == 200);
  CHECK(json::parse(tokens.body)["input_tokens"] == 10);

  // Ownership survives a restart (the store), and a deleted response is gone for its key too.
  auto kept = json::parse(g.post("/v1/responses", a, R"({"model":"gpt-test","input":"keep me"})").body)["id"].get<std::string>();
  auto dropped = json::parse(g.post("/v1/responses", a, R"({"model":"gpt-test","input":"drop me"})").body)["id"].get<std::string>();
  auto del = https_request(g.airlock->port(), "DELETE", "/v1/responses/" + dropped, {{"Authorization", "Bearer " + a}});
  REQUIRE(del.status == 200);
  CHECK(json::parse(del.body)["deleted"] == true);
  CHECK(g.get("/v1/responses/" + dropped, a).status == 404);
  g.airlock->send_signal(SIGTERM);
  REQUIRE(g.airlock->wait_exit() == 0);
  g.airlock = Airlock::start(g.dir / "data", {{"AIRLOCK_PROVISION_FILE", g.dir / "provision.json"}});
  CHECK(g.get("/v1/responses/" + kept, a).status == 200);
  CHECK(g.get("/v1/responses/" + kept, b).status == 404);
  CHECK(g.get("/v1/responses/" + dropped, a).status == 404);
}

TEST_CASE("Responses API streams are relayed as sent, and their id is the key's at once", "[integration][gateway][responses]") {
  Gateway g(kMockProvision);
  auto a = g.key();
  auto r = g.post("/v1/responses", a,
                  R"({"model":"gpt-test","input":[{"role":"user","content":[{"type":"input_text","text":"Hi"}]}],"stream":true})");
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"].find("text/event-stream") == 0);
  auto body = dechunk(r.body);
  CHECK(body.find("event: response.created\n") == 0);
  CHECK(body.find("event: response.output_text.delta") != std::string::npos);
  auto done = body.find("event: response.completed");
  REQUIRE(done != std::string::npos);
  auto id_at = body.find("\"id\":\"resp_mock");
  REQUIRE(id_at != std::string::npos);
  std::string id = body.substr(id_at + 6, body.find('"', id_at + 6) - id_at - 6);
  CHECK_FALSE(json::parse(g.mock->requests().back()["body"].get<std::string>()).contains("stream_options"));
  CHECK(g.get("/v1/responses/" + id, a).status == 200);

  // store: false leaves nothing to retrieve through Airlock.
  auto unstored = json::parse(g.post("/v1/responses", a, R"({"model":"gpt-test","input":"x","store":false})").body);
  CHECK(g.get("/v1/responses/" + unstored["id"].get<std::string>(), a).status == 404);

  // A key without the responses scope is refused; max_output_tokens is held to the key's cap.
  auto chat_only = g.key({"--scopes=chat"});
  CHECK(g.post("/v1/responses", chat_only, R"({"model":"gpt-test","input":"x"})").status == 403);
  auto capped = g.key({"--max-tokens=50"});
  CHECK(g.post("/v1/responses", capped, R"({"model":"gpt-test","input":"x","max_output_tokens":51})").status == 400);
  REQUIRE(g.post("/v1/responses", capped, R"({"model":"gpt-test","input":"x"})").status == 200);
  CHECK(json::parse(g.mock->requests().back()["body"].get<std::string>())["max_output_tokens"] == 50);
  CHECK(g.post("/v1/responses", a, R"({"model":"gpt-test","input":7})").status == 400);
  CHECK(g.post("/v1/responses", a, R"({"model":"gpt-test","input":["text"]})").status == 400);
}

TEST_CASE("Responses API to a chat-only provider: the stateless subset translated, plain and streamed",
          "[integration][gateway][responses][translate]") {
  Gateway g(R"({
    "providers":[{"name":"local","type":"openai","base_url":"MOCK/v1","api_key_file":"VENDOR_KEY_FILE","internal":true,"responses":false}],
    "models":[{"name":"local-coder","targets":[{"provider":"local","model":"tool-chat"}]}]})");
  auto key = g.key();
  auto r = g.post("/v1/responses", key, R"({"model":"local-coder","instructions":"Be brief.","input":"Hello there"})");
  REQUIRE(r.status == 200);
  CHECK(g.mock->requests().back()["path"] == "/v1/chat/completions");
  auto sent = json::parse(g.mock->requests().back()["body"].get<std::string>());
  CHECK(sent["messages"] == json::parse(R"([{"role":"system","content":"Be brief."},{"role":"user","content":"Hello there"}])"));
  auto a = json::parse(r.body);
  CHECK(a["object"] == "response");
  CHECK(a["status"] == "completed");
  CHECK(a["store"] == false);
  CHECK(a["output"][0]["content"][0]["text"] == "Hello there");  // the mock echoes
  CHECK(a["usage"]["input_tokens"] == 10);
  // Nothing is stored at a chat-only provider, so there is nothing to retrieve.
  CHECK(g.get("/v1/responses/" + a["id"].get<std::string>(), key).status == 404);

  const char* tools = R"([{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}])";
  auto with_tools = json::parse(g.post("/v1/responses", key,
                                       std::string(R"({"model":"local-coder","input":"Weather?","tools":)") + tools + "}").body);
  REQUIRE(with_tools["output"].size() == 2);
  CHECK(with_tools["output"][1]["type"] == "function_call");
  CHECK(json::parse(with_tools["output"][1]["arguments"].get<std::string>()) == json::parse(R"({"city":"Paris","unit":"celsius"})"));
  CHECK(with_tools["usage"]["input_tokens_details"]["cached_tokens"] == 4);

  auto s = g.post("/v1/responses", key, std::string(R"({"model":"local-coder","input":"Weather?","stream":true,"tools":)") + tools + "}");
  REQUIRE(s.status == 200);
  auto body = dechunk(s.body);
  CHECK(body.find("event: response.created\n") == 0);
  std::string text, args;
  json completed;
  airlock::gateway::SseSplitter split;
  split.feed(body, [&](const airlock::gateway::SseEvent& ev) {
    auto e = json::parse(ev.data);
    CHECK(e["type"] == ev.event);
    if (ev.event == "response.output_text.delta") text += e["delta"].get<std::string>();
    if (ev.event == "response.function_call_arguments.delta") args += e["delta"].get<std::string>();
    if (ev.event == "response.completed") completed = e["response"];
  });
  CHECK(text == "Checking the weather.");
  CHECK(json::parse(args) == json::parse(R"({"city":"Paris","unit":"celsius"})"));
  CHECK(completed["usage"]["output_tokens"] == 20);

  // What a chat model cannot do is refused naming the field, and nothing goes upstream.
  auto before = g.mock->requests().size();
  auto stored = g.post("/v1/responses", key, R"({"model":"local-coder","input":"x","store":true})");
  CHECK(stored.status == 400);
  CHECK(error_code(stored) == "field_not_translatable");
  CHECK(json::parse(stored.body)["error"]["param"] == "store");
  auto hosted = g.post("/v1/responses", key, R"({"model":"local-coder","input":"x","tools":[{"type":"web_search"}]})");
  CHECK(json::parse(hosted.body)["error"]["param"] == "tools[0].type");
  CHECK(g.mock->requests().size() == before);
}
