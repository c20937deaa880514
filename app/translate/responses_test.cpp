// The Responses API on a chat-only provider: the request (as Codex CLI and the SDK send it), the
// answer and the stream (as vLLM and OpenAI's chat send it), and what is refused.
#include <catch2/catch_test_macros.hpp>

#include "translate/responses.h"

using namespace airlock::translate;
using nlohmann::json;

TEST_CASE("a Responses request becomes a chat request: instructions, items, calls and their outputs, tools",
          "[translate][responses]") {
  auto req = Json::parse(R"({"model":"qwen","instructions":"You are a coding agent.",
    "input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"Sandbox: read-only."}]},
             {"role":"user","content":[{"type":"input_text","text":"List files"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},
             {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAA"},
             {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"},
             {"type":"function_call","call_id":"call_2","name":"shell","arguments":"{\"cmd\":[\"pwd\"]}"},
             {"type":"function_call_output","call_id":"call_1","output":"a.txt"},
             {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"/work"}]},
             {"role":"assistant","content":[{"type":"output_text","text":"Done."}]}],
    "tools":[{"type":"function","name":"shell","description":"Run a command","parameters":{"type":"object"},"strict":false}],
    "tool_choice":"auto","parallel_tool_calls":false,"store":false,"stream":true,"include":["reasoning.encrypted_content"],
    "reasoning":{"effort":"medium","summary":"auto"},"max_output_tokens":2048,"prompt_cache_key":"k",
    "text":{"format":{"type":"json_schema","name":"files","schema":{"type":"object"},"strict":true}}})");
  auto out = responses_to_chat(req);
  REQUIRE(std::holds_alternative<Json>(out));
  auto& c = std::get<Json>(out);
  REQUIRE(c["messages"].size() == 7);
  CHECK(c["messages"][0] == Json::parse(R"({"role":"system","content":"You are a coding agent."})"));
  CHECK(c["messages"][1] == Json::parse(R"({"role":"system","content":"Sandbox: read-only."})"));
  CHECK(c["messages"][2]["content"][1] == Json::parse(R"({"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}})"));
  CHECK(c["messages"][3]["tool_calls"].size() == 2);  // two calls in a row: one assistant turn
  CHECK(c["messages"][3]["content"].is_null());
  CHECK(c["messages"][4] == Json::parse(R"({"role":"tool","tool_call_id":"call_1","content":"a.txt"})"));
  CHECK(c["messages"][5]["content"] == "/work");
  CHECK(c["messages"][6] == Json::parse(R"({"role":"assistant","content":"Done."})"));
  CHECK(c["tools"][0] == Json::parse(R"({"type":"function","function":{"name":"shell","description":"Run a command","parameters":{"type":"object"},"strict":false}})"));
  CHECK(c["parallel_tool_calls"] == false);
  CHECK(c["max_tokens"] == 2048);
  CHECK(c["reasoning_effort"] == "medium");
  CHECK(c["stream_options"]["include_usage"] == true);
  CHECK(c["response_format"]["json_schema"]["name"] == "files");
  CHECK_FALSE(c.contains("store"));
  CHECK_FALSE(c.contains("prompt_cache_key"));

  auto refused = [](const char* body) {
    auto r = responses_to_chat(Json::parse(body));
    REQUIRE(std::holds_alternative<Problem>(r));
    return std::get<Problem>(r).param;
  };
  CHECK(refused(R"({"input":"x","previous_response_id":"resp_1"})") == "previous_response_id");
  CHECK(refused(R"({"input":"x","store":true})") == "store");
  CHECK(refused(R"({"input":"x","conversation":"conv_1"})") == "conversation");
  CHECK(refused(R"({"input":"x","background":true})") == "background");
  CHECK(refused(R"({"input":"x","tools":[{"type":"web_search"}]})") == "tools[0].type");
  CHECK(refused(R"({"input":"x","tool_choice":{"type":"allowed_tools","tools":[]}})") == "tool_choice");
  CHECK(refused(R"({"input":[{"type":"item_reference","id":"msg_1"}]})") == "input[0].type");
  CHECK(refused(R"({"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})") == "input[0].content[0].type");
  CHECK(refused(R"({"input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]})") == "input[0].content[0].image_url");
  CHECK(refused(R"({"input":"x","include":["message.output_text.logprobs"]})") == "include[0]");
  CHECK(refused(R"({"input":"x","truncation":"auto"})") == "truncation");
  CHECK(refused(R"({"input":7})") == "input");
  CHECK(refused(R"("just a string")") == "body");  // found by fuzz_translate: items() of a string has an empty key
  // Absent store is fine (nothing is kept, and the answer says so); so is a plain string input.
  auto plain = responses_to_chat(Json::parse(R"({"model":"m","input":"Hello"})"));
  REQUIRE(std::holds_alternative<Json>(plain));
  CHECK(std::get<Json>(plain)["messages"] == Json::parse(R"([{"role":"user","content":"Hello"}])"));
}

TEST_CASE("a chat completion becomes a Responses object: text, calls, usage, incomplete for length", "[translate][responses]") {
  ResponseEcho echo{"resp_x", 1733000000, json::parse(R"({"model":"m","tools":[{"type":"function","name":"shell"}],"max_output_tokens":5})")};
  auto c = json::parse(R"({"id":"chatcmpl-9","model":"qwen2.5","choices":[{"index":0,"message":{"role":"assistant","content":"Let me look.",
      "tool_calls":[{"id":"call_7","type":"function","function":{"name":"shell","arguments":"{\"cmd\":[\"ls\"]}"}}]},"finish_reason":"tool_calls"}],
      "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":64},
               "completion_tokens_details":{"reasoning_tokens":8}}})");
  auto r = completion_to_response(c, echo);
  CHECK(r["id"] == "resp_x");
  CHECK(r["object"] == "response");
  CHECK(r["status"] == "completed");
  CHECK(r["store"] == false);
  CHECK(r["model"] == "qwen2.5");
  CHECK(r["tools"] == echo.request["tools"]);
  REQUIRE(r["output"].size() == 2);
  CHECK(r["output"][0]["content"][0] == json::parse(R"({"type":"output_text","text":"Let me look.","annotations":[]})"));
  CHECK(r["output"][1] == json::parse(R"({"type":"function_call","id":"fc_call_7","call_id":"call_7","name":"shell","arguments":"{\"cmd\":[\"ls\"]}","status":"completed"})"));
  CHECK(r["usage"] == json::parse(R"({"input_tokens":100,"input_tokens_details":{"cached_tokens":64},"output_tokens":20,
                                      "output_tokens_details":{"reasoning_tokens":8},"total_tokens":120})"));
  c["choices"][0]["finish_reason"] = "length";
  auto cut = completion_to_response(c, echo);
  CHECK(cut["status"] == "incomplete");
  CHECK(cut["incomplete_details"]["reason"] == "max_output_tokens");
}

TEST_CASE("chat chunks become Responses events: items added, deltas, done events, completed with usage",
          "[translate][responses][stream]") {
  ChatToResponsesStream t(ResponseEcho{"resp_s", 1, json::parse(R"({"model":"m"})")});
  std::string out;
  for (const char* e : {R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})",
                        R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{"content":"Hel"}}]})",
                        R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{"content":"lo."}}]})",
                        R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"shell","arguments":""}}]}}]})",
                        R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"cmd\":"}}]}}]})",
                        R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"[\"ls\"]}"}}]}}]})",
                        R"({"id":"c","model":"qwen","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
                        R"({"id":"c","model":"qwen","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}})",
                        "[DONE]"})
    REQUIRE(t.on_event(e, out));
  CHECK(t.done());
  std::vector<std::string> types;
  std::string text, args;
  json completed;
  std::int64_t seq = -1;
  std::size_t at = 0;
  while (at < out.size()) {
    auto end = out.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    auto block = out.substr(at, end - at);
    at = end + 2;
    auto nl = block.find('\n');
    std::string name = block.substr(7, nl - 7);
    auto data = json::parse(block.substr(nl + 7));
    CHECK(data["type"] == name);
    CHECK(data["sequence_number"] == seq + 1);
    seq = data["sequence_number"];
    types.push_back(name);
    if (name == "response.output_text.delta") text += data["delta"].get<std::string>();
    if (name == "response.function_call_arguments.delta") args += data["delta"].get<std::string>();
    if (name == "response.completed") completed = data["response"];
  }
  CHECK(types.front() == "response.created");
  CHECK(types[1] == "response.in_progress");
  CHECK(types.back() == "response.completed");
  CHECK(text == "Hello.");
  CHECK(args == R"({"cmd":["ls"]})");
  // The message's done events come before the call is added; the call's at the end.
  auto pos = [&](const char* n) { return std::find(types.begin(), types.end(), n) - types.begin(); };
  CHECK(pos("response.output_item.done") < pos("response.function_call_arguments.delta"));
  CHECK(pos("response.function_call_arguments.done") < pos("response.completed"));
  REQUIRE(completed["output"].size() == 2);
  CHECK(completed["output"][0]["content"][0]["text"] == "Hello.");
  CHECK(completed["output"][1]["arguments"] == R"({"cmd":["ls"]})");
  CHECK(completed["usage"]["input_tokens"] == 9);
  CHECK(completed["model"] == "qwen");

  ChatToResponsesStream bad(ResponseEcho{"resp_b", 1, json::object()});
  std::string junk;
  CHECK_FALSE(bad.on_event("{oops", junk));
}
