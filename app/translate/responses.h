#pragma once
// The Responses API on a provider that serves only Chat Completions (a local vLLM, Ollama or
// llama.cpp): the stateless subset is translated, the rest refused naming the field (Problem),
// never dropped. Stateless: no previous_response_id, no conversation, and nothing stored, so
// "store": true is refused and the answer says "store": false.
//
// Carried over: instructions, input as text or items (messages with input_text / input_image /
// output_text parts, function_call and function_call_output items), function tools, tool_choice,
// parallel_tool_calls, max_output_tokens, temperature, top_p, text.format (json_object,
// json_schema), reasoning.effort, user, stream. Dropped as hints without effect on the answer:
// metadata, prompt_cache_key, service_tier, safety_identifier, truncation "disabled", include
// entries for reasoning content (a chat model returns none), reasoning.summary.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "translate/request.h"
#include "translate/stream.h"

namespace airlock::translate {

std::variant<Json, Problem> responses_to_chat(const Json& req, const ChatOptions& options = {});

// What a Responses object repeats from its request.
struct ResponseEcho {
  std::string id;           // "resp_…"
  std::int64_t created_at = 0;
  nlohmann::json request;   // the client's request (tools, tool_choice, instructions, … are echoed)
};

// A chat completion → a Responses object (status completed, or incomplete for length).
nlohmann::json completion_to_response(const nlohmann::json& completion, const ResponseEcho& echo);

// Chat chunks → Responses API events (response.created … response.completed), each with its
// event: line and sequence_number, written as the chunks arrive. Bounded like the other streams.
class ChatToResponsesStream {
 public:
  explicit ChatToResponsesStream(ResponseEcho echo) : echo_(std::move(echo)) {}
  bool on_event(std::string_view data, std::string& out);
  void finish(std::string& out);
  bool done() const { return done_; }

 private:
  void emit(const char* type, nlohmann::json data, std::string& out);
  nlohmann::json response(const char* status) const;
  void start(std::string& out);
  void close_message(std::string& out);
  ResponseEcho echo_;
  std::int64_t seq_ = 0;
  bool started_ = false, done_ = false;
  std::string model_;
  nlohmann::json output_ = nlohmann::json::array();  // items done so far
  int message_index_ = -1;                            // output_index of the open message, or -1
  std::string text_;                                  // its text so far
  struct Call {
    int output_index;
    std::string id, call_id, name, arguments;
  };
  std::map<std::int64_t, Call> calls_;  // chat tool_calls[].index → the function_call item
  std::string finish_;
  nlohmann::json usage_;
};

}  // namespace airlock::translate
