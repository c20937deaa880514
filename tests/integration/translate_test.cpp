// Any client to any model: the OpenAI dialect to an Anthropic-type provider and back, the
// Anthropic dialect to an OpenAI-type provider and back, on the real binary with the mock vendor.
#include <catch2/catch_test_macros.hpp>

#include "gateway/sse.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

const std::string kProvision = R"({
  "providers":[
    {"name":"mock","type":"openai","base_url":"MOCK/v1","api_key_file":"VENDOR_KEY_FILE","internal":true},
    {"name":"mock-anthropic","type":"anthropic","base_url":"MOCK","api_key_file":"VENDOR_KEY_FILE","internal":true}],
  "models":[
    {"name":"gpt-on-claude","targets":[{"provider":"mock-anthropic","model":"tool-anthropic"}]},
    {"name":"claude-on-gpt","targets":[{"provider":"mock","model":"tool-openai"}]},
    {"name":"claude-fails","targets":[{"provider":"mock-anthropic","model":"fail-400"}]},
    {"name":"both","targets":[{"provider":"mock","model":"tool-openai"},{"provider":"mock-anthropic","model":"tool-anthropic"}]}]
})";

const char* kArgs = R"({"city":"Paris","unit":"celsius"})";  // what the mock's tool call carries

json last_upstream(Gateway& g) { return json::parse(g.mock->requests().back()["body"].get<std::string>()); }

// The events of a streamed (chunked) SSE body, in order.
std::vector<std::pair<std::string, std::string>> events_of(const std::string& chunked) {
  std::string body = dechunk(chunked);
  std::vector<std::pair<std::string, std::string>> out;
  airlock::gateway::SseSplitter split;
  split.feed(body, [&](const airlock::gateway::SseEvent& ev) { out.emplace_back(ev.event, ev.data); });
  split.finish([&](const airlock::gateway::SseEvent& ev) { out.emplace_back(ev.event, ev.data); });
  return out;
}

const json kOpenAITools = json::array({{{"type", "function"},
                                        {"function", {{"name", "get_weather"},
                                                      {"description", "Weather for a city"},
                                                      {"parameters", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}}}}});
const json kAnthropicTools = json::array({{{"name", "get_weather"},
                                           {"description", "Weather for a city"},
                                           {"input_schema", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}}});

}  // namespace

TEST_CASE("OpenAI chat to an Anthropic-type provider: request, answer, tools, usage with cache tokens",
          "[integration][gateway][translate]") {
  Gateway g(kProvision);
  auto key = g.key();
  json req = {{"model", "gpt-on-claude"},
              {"messages", {{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hello there"}}}},
              {"stop", "END"},
              {"user", "u-42"}};
  auto r = g.post("/v1/chat/completions", key, req.dump());
  REQUIRE(r.status == 200);
  auto sent = last_upstream(g);
  CHECK(g.mock->requests().back()["path"] == "/v1/messages");
  CHECK(g.mock->requests().back()["headers"]["anthropic-version"] == "2023-06-01");
  CHECK(sent["system"] == json::array({{{"type", "text"}, {"text", "Be brief."}}}));
  CHECK(sent["messages"] == json::array({{{"role", "user"}, {"content", {{{"type", "text"}, {"text", "Hello there"}}}}}}));
  CHECK(sent["max_tokens"] == 4096);
  CHECK(sent["stop_sequences"] == json::array({"END"}));
  CHECK(sent["metadata"]["user_id"] == "u-42");
  auto a = json::parse(r.body);
  CHECK(a["object"] == "chat.completion");
  CHECK(a["choices"][0]["message"]["content"] == "Hello there");  // the mock echoes
  CHECK(a["choices"][0]["finish_reason"] == "stop");

  req["tools"] = kOpenAITools;
  req["tool_choice"] = "required";
  r = g.post("/v1/chat/completions", key, req.dump());
  REQUIRE(r.status == 200);
  sent = last_upstream(g);
  CHECK(sent["tools"][0]["input_schema"]["properties"]["city"]["type"] == "string");
  CHECK(sent["tool_choice"] == json{{"type", "any"}});
  a = json::parse(r.body);
  auto& call = a["choices"][0]["message"]["tool_calls"][0];
  CHECK(call["id"] == "toolu_mock1");
  CHECK(call["function"]["name"] == "get_weather");
  CHECK(json::parse(call["function"]["arguments"].get<std::string>()) == json::parse(kArgs));
  CHECK(a["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(a["usage"]["prompt_tokens"] == 16);  // 10 input + 4 cache read + 2 cache write
  CHECK(a["usage"]["prompt_tokens_details"]["cached_tokens"] == 4);
  CHECK(a["usage"]["completion_tokens"] == 20);

  // Streamed: chunks with the tool call's arguments split across events, [DONE] at the end.
  req["stream"] = true;
  req["stream_options"] = {{"include_usage", true}};
  r = g.post("/v1/chat/completions", key, req.dump());
  REQUIRE(r.status == 200);
  std::string text, args, finish;
  json usage;
  auto evs = events_of(r.body);
  REQUIRE_FALSE(evs.empty());
  CHECK(evs.back().second == "[DONE]");
  for (const auto& [name, data] : evs) {
    if (data == "[DONE]") continue;
    auto c = json::parse(data);
    CHECK(c["object"] == "chat.completion.chunk");
    if (c.contains("usage")) usage = c["usage"];
    if (c["choices"].empty()) continue;
    const auto& d = c["choices"][0]["delta"];
    if (d.contains("content")) text += d["content"].get<std::string>();
    if (d.contains("tool_calls")) args += d["tool_calls"][0]["function"]["arguments"].get<std::string>();
    if (c["choices"][0]["finish_reason"].is_string()) finish = c["choices"][0]["finish_reason"];
  }
  CHECK(text == "Checking the weather.");
  CHECK(args == kArgs);
  CHECK(finish == "tool_calls");
  CHECK(usage["prompt_tokens"] == 16);
  CHECK(usage["completion_tokens"] == 20);
}

TEST_CASE("Anthropic messages to an OpenAI-type provider: request, answer, tools, stream events",
          "[integration][gateway][translate]") {
  Gateway g(kProvision);
  auto key = g.key();
  json req = {{"model", "claude-on-gpt"},
              {"max_tokens", 100},
              {"system", "Be brief."},
              {"messages", {{{"role", "user"}, {"content", "Hello there"}}}}};
  auto r = g.post("/v1/messages", key, req.dump());
  REQUIRE(r.status == 200);
  CHECK(g.mock->requests().back()["path"] == "/v1/chat/completions");
  auto sent = last_upstream(g);
  CHECK(sent["messages"] == json::array({{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hello there"}}}));
  CHECK(sent["max_tokens"] == 100);
  CHECK_FALSE(g.mock->requests().back()["headers"].contains("anthropic-version"));
  auto a = json::parse(r.body);
  CHECK(a["type"] == "message");
  CHECK(a["content"] == json::array({{{"type", "text"}, {"text", "Hello there"}}}));
  CHECK(a["stop_reason"] == "end_turn");
  CHECK(a["usage"]["input_tokens"] == 10);

  // A tool round trip: the earlier call and its result go up as OpenAI's tool_calls and tool message.
  req["tools"] = kAnthropicTools;
  req["messages"] = json::array(
      {{{"role", "user"}, {"content", "Weather?"}},
       {{"role", "assistant"}, {"content", {{{"type", "tool_use"}, {"id", "t1"}, {"name", "get_weather"}, {"input", {{"city", "Oslo"}}}}}}},
       {{"role", "user"}, {"content", {{{"type", "tool_result"}, {"tool_use_id", "t1"}, {"content", "-3 C"}}, {{"type", "text"}, {"text", "And Paris?"}}}}}});
  r = g.post("/v1/messages", key, req.dump());
  REQUIRE(r.status == 200);
  sent = last_upstream(g);
  REQUIRE(sent["messages"].size() == 5);
  CHECK(sent["messages"][2]["tool_calls"][0]["function"]["arguments"] == R"({"city":"Oslo"})");
  CHECK(sent["messages"][3] == json{{"role", "tool"}, {"tool_call_id", "t1"}, {"content", "-3 C"}});
  CHECK(sent["messages"][4] == json{{"role", "user"}, {"content", "And Paris?"}});
  CHECK(sent["tools"][0]["function"]["parameters"]["type"] == "object");
  a = json::parse(r.body);
  CHECK(a["stop_reason"] == "tool_use");
  REQUIRE(a["content"].size() == 2);
  CHECK(a["content"][1]["input"] == json::parse(kArgs));
  CHECK(a["usage"]["cache_read_input_tokens"] == 4);
  CHECK(a["usage"]["input_tokens"] == 6);

  // Streamed: Anthropic's events with their event: lines, the tool input split across deltas.
  req["stream"] = true;
  r = g.post("/v1/messages", key, req.dump());
  REQUIRE(r.status == 200);
  CHECK(last_upstream(g)["stream_options"]["include_usage"] == true);
  std::vector<std::string> names;
  std::string text, args;
  json delta;
  for (const auto& [name, data] : events_of(r.body)) {
    names.push_back(name);
    auto e = json::parse(data);
    CHECK(e["type"] == name);
    if (name == "content_block_delta") {
      if (e["delta"]["type"] == "text_delta") text += e["delta"]["text"].get<std::string>();
      else args += e["delta"]["partial_json"].get<std::string>();
    }
    if (name == "message_delta") delta = e;
  }
  CHECK(names.front() == "message_start");
  CHECK(names.back() == "message_stop");
  CHECK(text == "Checking the weather.");
  CHECK(args == kArgs);
  CHECK(delta["delta"]["stop_reason"] == "tool_use");
  CHECK(delta["usage"]["output_tokens"] == 20);
}

TEST_CASE("what cannot be translated is a 400 naming the field; vendor errors come back in the caller's dialect",
          "[integration][gateway][translate]") {
  Gateway g(kProvision);
  auto key = g.key();
  auto before = g.mock->requests().size();
  auto n2 = g.post("/v1/chat/completions", key, R"({"model":"gpt-on-claude","n":2,"messages":[{"role":"user","content":"x"}]})");
  CHECK(n2.status == 400);
  CHECK(error_code(n2) == "field_not_translatable");
  CHECK(json::parse(n2.body)["error"]["param"] == "n");
  auto topk = g.post("/v1/messages", key, R"({"model":"claude-on-gpt","max_tokens":5,"top_k":3,"messages":[{"role":"user","content":"x"}]})");
  CHECK(topk.status == 400);
  CHECK(json::parse(topk.body)["error"]["message"].get<std::string>().find("top_k") != std::string::npos);
  CHECK(g.mock->requests().size() == before);  // nothing went upstream

  // A model with a target in each dialect: an untranslatable request goes to the one that speaks it.
  auto both = g.post("/v1/chat/completions", key, R"({"model":"both","n":1,"logprobs":true,"messages":[{"role":"user","content":"x"}]})");
  CHECK(both.status == 200);
  CHECK(g.mock->requests().back()["path"] == "/v1/chat/completions");

  auto refused = g.post("/v1/chat/completions", key, R"({"model":"claude-fails","messages":[{"role":"user","content":"x"}]})");
  CHECK(refused.status == 400);
  auto e = json::parse(refused.body);
  CHECK(e["error"]["type"] == "invalid_request_error");
  CHECK(e["error"]["message"] == "mock failure");
  CHECK_FALSE(e.contains("type"));  // OpenAI's envelope, not Anthropic's
}
