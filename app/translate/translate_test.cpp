// Translation between the dialects, on payloads shaped as the vendors send them (Anthropic's
// streaming reference with its ping events and empty first input_json_delta; OpenAI's tool-call
// chunks with content null beside the role, parallel calls by index, the usage chunk with
// cached_tokens), both directions, every stop reason.
#include <catch2/catch_test_macros.hpp>

#include "translate/answer.h"
#include "translate/request.h"
#include "translate/stream.h"

using namespace airlock::translate;
using nlohmann::json;

namespace {

struct Event {
  std::string name;
  json data;  // null for [DONE]
};

// Splits what a translator wrote into events (it only ever writes whole ones).
std::vector<Event> events_of(const std::string& text) {
  std::vector<Event> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    std::string block = text.substr(at, end - at);
    at = end + 2;
    Event e;
    std::size_t line = 0;
    while (line < block.size()) {
      auto nl = block.find('\n', line);
      std::string l = block.substr(line, nl == std::string::npos ? std::string::npos : nl - line);
      line = nl == std::string::npos ? block.size() : nl + 1;
      if (l.rfind("event: ", 0) == 0) e.name = l.substr(7);
      if (l.rfind("data: ", 0) == 0) e.data = l.substr(6) == "[DONE]" ? json(nullptr) : json::parse(l.substr(6));
    }
    out.push_back(std::move(e));
  }
  return out;
}

// Anthropic's stream for a tool call: text, a ping, the call's input split (the first delta
// empty), usage with cache reads at the start and the output count at the end.
const std::vector<std::string> kAnthropicToolStream = {
    R"({"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":1200,"output_tokens":2}}})",
    R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
    R"({"type": "ping"})",
    R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let me check"}})",
    R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" the weather."}})",
    R"({"type":"content_block_stop","index":0})",
    R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}})",
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})",
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}})",
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San Francisco, CA\""}})",
    R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":", \"unit\": \"fahrenheit\"}"}})",
    R"({"type":"content_block_stop","index":1})",
    R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}})",
    R"({"type":"message_stop"})"};

// OpenAI's stream for two parallel tool calls after a sentence.
const std::vector<std::string> kOpenAIToolStream = {
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Checking both."},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Pa"}}]},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\"}"}}]},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\": \"CET\"}"}}]},"logprobs":null,"finish_reason":null}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]})",
    R"({"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1733000000,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":1500,"completion_tokens":42,"total_tokens":1542,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}})",
    "[DONE]"};

}  // namespace

TEST_CASE("an Anthropic tool-use stream becomes OpenAI chunks: text, the call split across events, usage with cache reads",
          "[translate][stream]") {
  MessagesToChatStream t(1733000000, /*include_usage=*/true);
  std::string out;
  for (const auto& e : kAnthropicToolStream) REQUIRE(t.on_event(e, out));
  CHECK(t.done());
  auto evs = events_of(out);
  REQUIRE(evs.size() >= 4);
  CHECK(evs.back().data.is_null());  // data: [DONE]
  std::string text, args, id, name, finish;
  json usage;
  for (const auto& e : evs) {
    if (e.data.is_null()) continue;
    CHECK(e.name.empty());  // OpenAI streams have no event: lines
    CHECK(e.data["object"] == "chat.completion.chunk");
    CHECK(e.data["id"] == "chatcmpl-msg_014p7gG3wDgGV9EUtLvnow3U");
    if (e.data.contains("usage")) usage = e.data["usage"];
    if (e.data["choices"].empty()) continue;
    const auto& d = e.data["choices"][0]["delta"];
    if (d.contains("content")) text += d["content"].get<std::string>();
    if (d.contains("tool_calls")) {
      const auto& c = d["tool_calls"][0];
      CHECK(c["index"] == 0);
      if (c.contains("id")) id = c["id"], name = c["function"]["name"];
      args += c["function"]["arguments"].get<std::string>();
    }
    if (e.data["choices"][0]["finish_reason"].is_string()) finish = e.data["choices"][0]["finish_reason"];
  }
  CHECK(text == "Okay, let me check the weather.");
  CHECK(id == "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  CHECK(name == "get_weather");
  CHECK(json::parse(args) == json{{"location", "San Francisco, CA"}, {"unit", "fahrenheit"}});
  CHECK(finish == "tool_calls");
  CHECK(usage["prompt_tokens"] == 1672);  // 472 + 1200 cache reads
  CHECK(usage["prompt_tokens_details"]["cached_tokens"] == 1200);
  CHECK(usage["completion_tokens"] == 89);
  CHECK(usage["total_tokens"] == 1761);
}

TEST_CASE("without include_usage there is no usage chunk; thinking is left out; an error event ends the stream",
          "[translate][stream]") {
  MessagesToChatStream t(1, false);
  std::string out;
  for (const char* e : {R"({"type":"message_start","message":{"id":"msg_1","model":"claude","usage":{"input_tokens":5,"output_tokens":1}}})",
                        R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})",
                        R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}})",
                        R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}})",
                        R"({"type":"content_block_stop","index":0})",
                        R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})",
                        R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}})",
                        R"({"type":"content_block_stop","index":1})",
                        R"({"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":7}})",
                        R"({"type":"message_stop"})"})
    REQUIRE(t.on_event(e, out));
  CHECK(out.find("Let me think") == std::string::npos);
  CHECK(out.find("EqQBCgIYAhIM") == std::string::npos);
  CHECK(out.find("\"usage\"") == std::string::npos);
  CHECK(out.find(R"("finish_reason":"length")") != std::string::npos);
  CHECK(out.find(R"("content":"42")") != std::string::npos);

  MessagesToChatStream failing(1, false);
  std::string err;
  REQUIRE(failing.on_event(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", err));
  CHECK(failing.done());
  auto evs = events_of(err);
  REQUIRE(evs.size() == 1);
  CHECK(evs[0].data["error"]["message"] == "Overloaded");
}

TEST_CASE("an OpenAI stream with parallel tool calls becomes Anthropic events, one block per call, split input kept whole",
          "[translate][stream]") {
  ChatToMessagesStream t;
  std::string out;
  for (const auto& e : kOpenAIToolStream) REQUIRE(t.on_event(e, out));
  CHECK(t.done());
  auto evs = events_of(out);
  std::vector<std::string> names;
  std::map<int, std::string> partial;
  std::map<int, json> starts;
  json delta;
  for (const auto& e : evs) {
    names.push_back(e.name);
    CHECK(e.data["type"] == e.name);  // Anthropic's event: line and type agree
    if (e.name == "content_block_start") starts[e.data["index"].get<int>()] = e.data["content_block"];
    if (e.name == "content_block_delta" && e.data["delta"]["type"] == "input_json_delta")
      partial[e.data["index"].get<int>()] += e.data["delta"]["partial_json"].get<std::string>();
    if (e.name == "message_delta") delta = e.data;
  }
  CHECK(names.front() == "message_start");
  CHECK(evs.front().data["message"]["id"] == "msg_chatcmpl-AbC123");
  CHECK(evs.front().data["message"]["model"] == "gpt-4o-2024-08-06");
  CHECK(names.back() == "message_stop");
  REQUIRE(starts.size() == 3);
  CHECK(starts[0]["type"] == "text");
  CHECK(starts[1] == json{{"type", "tool_use"}, {"id", "call_a"}, {"name", "get_weather"}, {"input", json::object()}});
  CHECK(starts[2]["name"] == "get_time");
  CHECK(json::parse(partial[1]) == json{{"city", "Paris"}});
  CHECK(json::parse(partial[2]) == json{{"tz", "CET"}});
  CHECK(std::count(names.begin(), names.end(), "content_block_stop") == 3);
  CHECK(delta["delta"]["stop_reason"] == "tool_use");
  CHECK(delta["usage"]["input_tokens"] == 476);  // 1500 − 1024 cached
  CHECK(delta["usage"]["cache_read_input_tokens"] == 1024);
  CHECK(delta["usage"]["output_tokens"] == 42);
  // The text block closed before the first tool block opened.
  auto text_stop = std::find_if(evs.begin(), evs.end(), [](const Event& e) { return e.name == "content_block_stop"; });
  auto tool_start = std::find_if(evs.begin(), evs.end(), [](const Event& e) {
    return e.name == "content_block_start" && e.data["content_block"]["type"] == "tool_use";
  });
  CHECK(text_stop < tool_start);
}

TEST_CASE("every stop reason, both ways", "[translate][answer]") {
  CHECK(openai_finish_reason("end_turn") == "stop");
  CHECK(openai_finish_reason("stop_sequence") == "stop");
  CHECK(openai_finish_reason("pause_turn") == "stop");
  CHECK(openai_finish_reason("max_tokens") == "length");
  CHECK(openai_finish_reason("model_context_window_exceeded") == "length");
  CHECK(openai_finish_reason("tool_use") == "tool_calls");
  CHECK(openai_finish_reason("refusal") == "content_filter");
  CHECK(anthropic_stop_reason("stop") == "end_turn");
  CHECK(anthropic_stop_reason("length") == "max_tokens");
  CHECK(anthropic_stop_reason("tool_calls") == "tool_use");
  CHECK(anthropic_stop_reason("function_call") == "tool_use");
  CHECK(anthropic_stop_reason("content_filter") == "refusal");
  CHECK(anthropic_stop_reason("") == "end_turn");

  // In streams too: each OpenAI finish reason reaches message_delta.
  for (auto [finish, stop] : {std::pair{"stop", "end_turn"}, {"length", "max_tokens"}, {"tool_calls", "tool_use"},
                              {"content_filter", "refusal"}}) {
    ChatToMessagesStream t;
    std::string out;
    REQUIRE(t.on_event(std::string(R"({"id":"x","model":"m","choices":[{"index":0,"delta":{},"finish_reason":")") + finish + "\"}]}", out));
    REQUIRE(t.on_event("[DONE]", out));
    CHECK(out.find(std::string(R"("stop_reason":")") + stop + "\"") != std::string::npos);
  }
}

TEST_CASE("whole answers both ways: text, tool calls, usage with cache tokens priced apart", "[translate][answer]") {
  auto message = json::parse(R"({"id":"msg_01Fi1EqjDkLZWb48cXrdMGpM","type":"message","role":"assistant","model":"claude-sonnet-4-5",
    "content":[{"type":"text","text":"I'll check the current weather in Shanghai for you."},
               {"type":"tool_use","id":"toolu_01WppHnD3srgami8yc44A9q9","name":"get_weather","input":{"location":"Shanghai"}}],
    "stop_reason":"tool_use","stop_sequence":null,
    "usage":{"input_tokens":402,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":65,"service_tier":"standard"}})");
  auto c = message_to_completion(message, 1733000000);
  CHECK(c["object"] == "chat.completion");
  CHECK(c["created"] == 1733000000);
  const auto& m = c["choices"][0]["message"];
  CHECK(m["content"] == "I'll check the current weather in Shanghai for you.");
  CHECK(m["tool_calls"][0]["id"] == "toolu_01WppHnD3srgami8yc44A9q9");
  CHECK(json::parse(m["tool_calls"][0]["function"]["arguments"].get<std::string>()) == json{{"location", "Shanghai"}});
  CHECK(c["choices"][0]["finish_reason"] == "tool_calls");
  CHECK(c["usage"] == json{{"prompt_tokens", 2502}, {"completion_tokens", 65}, {"total_tokens", 2567},
                           {"prompt_tokens_details", {{"cached_tokens", 2000}}}});

  auto completion = json::parse(R"({"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion","created":1741569952,
    "model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":null,
    "tool_calls":[{"id":"call_12345xyz","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris, France\"}"}}],
    "refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99,"prompt_tokens_details":{"cached_tokens":64,"audio_tokens":0}}})");
  auto a = completion_to_message(completion);
  CHECK(a["type"] == "message");
  CHECK(a["id"] == "msg_chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
  REQUIRE(a["content"].size() == 1);  // no empty text block for a null content
  CHECK(a["content"][0] == json{{"type", "tool_use"}, {"id", "call_12345xyz"}, {"name", "get_weather"},
                                {"input", {{"location", "Paris, France"}}}});
  CHECK(a["stop_reason"] == "tool_use");
  CHECK(a["usage"] == json{{"input_tokens", 18}, {"output_tokens", 17}, {"cache_read_input_tokens", 64},
                           {"cache_creation_input_tokens", 0}});

  // Arguments that are not a JSON object are kept, not lost; wrong types count as absent.
  auto odd = completion_to_message(json::parse(
      R"({"id":"x","choices":[{"message":{"content":7,"tool_calls":[{"id":"c","function":{"name":"f","arguments":"not json"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":"many"}})"));
  CHECK(odd["content"][0]["input"] == json{{"arguments", "not json"}});
  CHECK(odd["usage"]["input_tokens"] == 0);
}

TEST_CASE("OpenAI chat requests to Anthropic: system, images, a tool round trip, choices", "[translate][request]") {
  auto chat = Json::parse(R"({"model":"gpt-x","messages":[
      {"role":"system","content":"You are terse."},
      {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
      {"role":"user","content":[{"type":"text","text":"What is this?"},
                                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                                {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"low"}}]},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}},
                                                        {"id":"call_2","type":"function","function":{"name":"lookup","arguments":""}}]},
      {"role":"tool","tool_call_id":"call_1","content":"a cat"},
      {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"still a cat"}]},
      {"role":"user","content":"Thanks"}],
    "max_completion_tokens":300,"temperature":0.2,"stop":["\n\n"],"stream":true,"stream_options":{"include_usage":true},
    "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}],
    "tool_choice":{"type":"function","function":{"name":"lookup"}},"parallel_tool_calls":false,"seed":7,"n":1,"logprobs":false})");
  auto out = chat_to_messages(chat);
  REQUIRE(std::holds_alternative<Json>(out));
  auto& a = std::get<Json>(out);
  CHECK(a["system"] == Json::parse(R"([{"type":"text","text":"You are terse."},{"type":"text","text":"Answer in French."}])"));
  REQUIRE(a["messages"].size() == 3);
  CHECK(a["messages"][0]["content"][1]["source"] == Json::parse(R"({"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="})"));
  CHECK(a["messages"][0]["content"][2]["source"] == Json::parse(R"({"type":"url","url":"https://example.com/cat.jpg"})"));
  CHECK(a["messages"][1]["content"][0] == Json::parse(R"({"type":"tool_use","id":"call_1","name":"lookup","input":{"q":"cat"}})"));
  CHECK(a["messages"][1]["content"][1]["input"] == Json::object());
  // Both tool results and the next user text in one user turn, results first.
  CHECK(a["messages"][2]["content"] == Json::parse(R"([{"type":"tool_result","tool_use_id":"call_1","content":"a cat"},
      {"type":"tool_result","tool_use_id":"call_2","content":"still a cat"},{"type":"text","text":"Thanks"}])"));
  CHECK(a["max_tokens"] == 300);
  CHECK(a["stop_sequences"] == Json::array({"\n\n"}));
  CHECK(a["tool_choice"] == Json::parse(R"({"type":"tool","name":"lookup","disable_parallel_tool_use":true})"));
  CHECK(a["tools"][0]["input_schema"]["properties"]["q"]["type"] == "string");
  CHECK_FALSE(a.contains("seed"));
  CHECK_FALSE(a.contains("stream_options"));
}

TEST_CASE("what an Anthropic provider cannot do is refused naming the field", "[translate][request]") {
  auto refused = [](const char* body) {
    auto out = chat_to_messages(Json::parse(body));
    REQUIRE(std::holds_alternative<Problem>(out));
    return std::get<Problem>(out).param;
  };
  const char* user = R"("messages":[{"role":"user","content":"x"}])";
  CHECK(refused((std::string("{") + user + R"(,"n":2})").c_str()) == "n");
  CHECK(refused((std::string("{") + user + R"(,"logprobs":true})").c_str()) == "logprobs");
  CHECK(refused((std::string("{") + user + R"(,"response_format":{"type":"json_schema","json_schema":{}}})").c_str()) == "response_format");
  CHECK(refused((std::string("{") + user + R"(,"presence_penalty":0.5})").c_str()) == "presence_penalty");
  CHECK(refused((std::string("{") + user + R"(,"temperature":1.5})").c_str()) == "temperature");
  CHECK(refused((std::string("{") + user + R"(,"reasoning_effort":"high"})").c_str()) == "reasoning_effort");
  CHECK(refused((std::string("{") + user + R"(,"tools":[{"type":"custom","custom":{"name":"x"}}]})").c_str()) == "tools[0].type");
  CHECK(refused(R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]})") == "messages[0].content[0].type");
  CHECK(refused(R"({"messages":[{"role":"function","name":"f","content":"x"}]})") == "messages[0].role");
  CHECK(refused(R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/bmp;base64,Qk0="}}]}]})") ==
        "messages[0].content[0].image_url.url");
  CHECK(refused(R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]})") ==
        "messages[0].tool_calls[0].function.arguments");
  CHECK(refused(R"({"messages":"hi"})") == "messages");
  // Defaults that mean nothing are not refusals.
  CHECK(std::holds_alternative<Json>(chat_to_messages(Json::parse(
      R"({"messages":[{"role":"user","content":"x"}],"n":1,"presence_penalty":0,"frequency_penalty":0.0,"logit_bias":{},"response_format":{"type":"text"}})"))));
}

TEST_CASE("Anthropic requests to OpenAI: system blocks, images, tool results before the text, thinking dropped",
          "[translate][request]") {
  auto req = Json::parse(R"({"model":"claude-x","max_tokens":1024,
      "system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Be careful."}],
      "messages":[
        {"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},{"type":"text","text":"Describe"}]},
        {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Running ls."},
                                       {"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"a.txt"}]},
                                  {"type":"tool_result","tool_use_id":"toolu_2","content":"denied","is_error":true},
                                  {"type":"text","text":"go on"}]}],
      "stop_sequences":["</done>"],"stream":true,"metadata":{"user_id":"u-1"},
      "tools":[{"name":"Bash","description":"Run a command","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}],
      "tool_choice":{"type":"any","disable_parallel_tool_use":true},"thinking":{"type":"disabled"}})");
  auto out = messages_to_chat(req, {.reasoning_model = true});
  REQUIRE(std::holds_alternative<Json>(out));
  auto& c = std::get<Json>(out);
  REQUIRE(c["messages"].size() == 6);
  CHECK(c["messages"][0] == Json::parse(R"({"role":"system","content":"You are Claude Code.\nBe careful."})"));
  CHECK(c["messages"][1]["content"][0] == Json::parse(R"({"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}})"));
  CHECK(c["messages"][2] == Json::parse(R"({"role":"assistant","content":"Running ls.","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}}]})"));
  CHECK(c["messages"][3] == Json::parse(R"({"role":"tool","tool_call_id":"toolu_1","content":"a.txt"})"));
  CHECK(c["messages"][4] == Json::parse(R"({"role":"tool","tool_call_id":"toolu_2","content":"[tool error] denied"})"));
  CHECK(c["messages"][5] == Json::parse(R"({"role":"user","content":"go on"})"));
  CHECK(c["max_completion_tokens"] == 1024);  // a reasoning model refuses max_tokens
  CHECK(c["stop"] == Json::array({"</done>"}));
  CHECK(c["stream_options"]["include_usage"] == true);
  CHECK(c["user"] == "u-1");
  CHECK(c["tool_choice"] == "required");
  CHECK(c["parallel_tool_calls"] == false);
  CHECK(c["tools"][0]["function"]["parameters"]["properties"]["command"]["type"] == "string");

  auto refused = [](const char* body) {
    auto r = messages_to_chat(Json::parse(body));
    REQUIRE(std::holds_alternative<Problem>(r));
    return std::get<Problem>(r).param;
  };
  CHECK(refused(R"({"messages":[],"top_k":5})") == "top_k");
  CHECK(refused(R"({"messages":[],"thinking":{"type":"enabled","budget_tokens":2048}})") == "thinking");
  CHECK(refused(R"({"messages":[],"tools":[{"type":"web_search_20250305","name":"web_search"}]})") == "tools[0].type");
  CHECK(refused(R"({"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]})") == "messages[0].content[0].type");
  CHECK(refused(R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{}}]}]}]})") ==
        "messages[0].content[0].content[0].type");
}

TEST_CASE("hostile streams: unreadable events and too many blocks end the stream, wrong types never throw",
          "[translate][stream]") {
  {
    ChatToMessagesStream t;
    std::string out;
    CHECK_FALSE(t.on_event("{not json", out));
    CHECK_FALSE(t.on_event(std::string(100, '['), out));
    CHECK(t.on_event(R"({"choices":[{"delta":{"content":7,"tool_calls":"x"},"finish_reason":3}],"usage":"lots"})", out));
    std::string many;
    bool ok = true;
    for (int i = 0; ok && i < 300; ++i)
      ok = t.on_event(R"({"choices":[{"delta":{"tool_calls":[{"index":)" + std::to_string(i) + R"(,"id":"c","function":{"name":"f"}}]}}]})", many);
    CHECK_FALSE(ok);
  }
  {
    MessagesToChatStream t(1, true);
    std::string out;
    CHECK_FALSE(t.on_event("", out));
    CHECK(t.on_event(R"({"type":"content_block_delta","index":"zero","delta":{"type":"input_json_delta","partial_json":5}})", out));
    CHECK(t.on_event(R"({"type":"message_delta","usage":{"output_tokens":-5,"input_tokens":1e300}})", out));
    bool ok = true;
    for (int i = 0; ok && i < 300; ++i)
      ok = t.on_event(R"({"type":"content_block_start","index":)" + std::to_string(i) + R"(,"content_block":{"type":"tool_use","id":"t","name":"n"}})", out);
    CHECK_FALSE(ok);
  }
}
