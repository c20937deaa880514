#include "translate/answer.h"

#include <algorithm>

#include "http/json_read.h"
#include "translate/fields.h"

namespace airlock::translate {
namespace {

using nlohmann::json;

// A token count as a number we can add: wrong types and negatives are 0, huge ones capped (as
// gateway::usage_count does for what the gateway itself reads).
std::int64_t count(const json& o, const char* key) {
  auto* v = member(o, key);
  if (!v || !v->is_number_integer()) return 0;
  if (v->is_number_unsigned()) return static_cast<std::int64_t>(std::min<std::uint64_t>(v->get<std::uint64_t>(), 1ULL << 31));
  return std::clamp<std::int64_t>(v->get<std::int64_t>(), 0, std::int64_t{1} << 31);
}

const char* error_type(int status) {
  switch (status) {
    case 400: case 422: return "invalid_request_error";
    case 404: return "not_found_error";
    case 409: return "invalid_request_error";
    case 413: return "request_too_large";
    default: return "api_error";
  }
}

}  // namespace

std::string openai_finish_reason(std::string_view r) {
  if (r == "max_tokens" || r == "model_context_window_exceeded") return "length";
  if (r == "tool_use") return "tool_calls";
  if (r == "refusal") return "content_filter";
  return "stop";  // end_turn, stop_sequence, pause_turn
}

std::string anthropic_stop_reason(std::string_view r) {
  if (r == "length") return "max_tokens";
  if (r == "tool_calls" || r == "function_call") return "tool_use";
  if (r == "content_filter") return "refusal";
  return "end_turn";
}

json openai_usage(const json& u) {
  std::int64_t input = count(u, "input_tokens"), read = count(u, "cache_read_input_tokens"),
               written = count(u, "cache_creation_input_tokens"), output = count(u, "output_tokens");
  std::int64_t prompt = input + read + written;
  return {{"prompt_tokens", prompt},
          {"completion_tokens", output},
          {"total_tokens", prompt + output},
          {"prompt_tokens_details", {{"cached_tokens", read}}}};
}

json anthropic_usage(const json& u) {
  std::int64_t prompt = count(u, "prompt_tokens"), output = count(u, "completion_tokens"), cached = 0;
  if (const json* d = member(u, "prompt_tokens_details")) cached = std::min(count(*d, "cached_tokens"), prompt);
  return {{"input_tokens", prompt - cached},
          {"output_tokens", output},
          {"cache_read_input_tokens", cached},
          {"cache_creation_input_tokens", 0}};
}

json message_to_completion(const json& msg, std::int64_t created) {
  std::string text;
  json calls = json::array();
  if (const json* content = member(msg, "content"); content && content->is_array()) {
    for (const auto& b : *content) {
      auto type = str(b, "type");
      if (type == "text") {
        text += str(b, "text");
      } else if (type == "tool_use") {
        const json* input = member(b, "input");
        calls.push_back({{"id", str(b, "id")},
                         {"type", "function"},
                         {"function", {{"name", str(b, "name")},
                                       {"arguments", input ? input->dump(-1, ' ', false, json::error_handler_t::replace) : "{}"}}}});
      }
      // thinking blocks have no place in a chat completion's message
    }
  }
  json message = {{"role", "assistant"}, {"content", text.empty() && !calls.empty() ? json(nullptr) : json(text)}};
  if (!calls.empty()) message["tool_calls"] = std::move(calls);
  json choice = {{"index", 0}, {"message", std::move(message)}, {"logprobs", nullptr},
                 {"finish_reason", openai_finish_reason(str(msg, "stop_reason"))}};
  json out = {{"id", "chatcmpl-" + str(msg, "id")}, {"object", "chat.completion"}, {"created", created},
              {"model", str(msg, "model")}, {"choices", json::array({std::move(choice)})}};
  if (const json* u = member(msg, "usage")) out["usage"] = openai_usage(*u);
  return out;
}

json completion_to_message(const json& c) {
  json content = json::array();
  std::string finish;
  if (const json* choices = member(c, "choices"); choices && choices->is_array() && !choices->empty()) {
    const json& choice = (*choices)[0];
    finish = str(choice, "finish_reason");
    if (const json* m = member(choice, "message")) {
      auto text = str(*m, "content");
      if (text.empty()) text = str(*m, "refusal");
      if (!text.empty()) content.push_back({{"type", "text"}, {"text", text}});
      if (const json* calls = member(*m, "tool_calls"); calls && calls->is_array()) {
        for (const auto& call : *calls) {
          const json* fn = member(call, "function");
          json input = json::object();
          if (fn) {
            // The model's arguments as the object tool_use.input is; text that is not one is kept
            // whole under a key rather than lost.
            auto args = str(*fn, "arguments");
            auto parsed = http::parse_json_strict(args);  // bounded: the text is the upstream's
            if (parsed && parsed->is_object()) input = std::move(*parsed);
            else if (!args.empty()) input = {{"arguments", args}};
          }
          content.push_back({{"type", "tool_use"}, {"id", str(call, "id")}, {"name", fn ? str(*fn, "name") : ""},
                             {"input", std::move(input)}});
        }
      }
    }
  }
  std::string id = str(c, "id");
  json out = {{"id", id.rfind("msg_", 0) == 0 ? id : "msg_" + id}, {"type", "message"}, {"role", "assistant"},
              {"model", str(c, "model")}, {"content", std::move(content)},
              {"stop_reason", anthropic_stop_reason(finish)}, {"stop_sequence", nullptr}};
  out["usage"] = anthropic_usage(member(c, "usage") ? c["usage"] : json::object());
  return out;
}

std::string error_message(const json& body) {
  if (const json* e = member(body, "error")) {
    if (e->is_string()) return e->get<std::string>();
    return str(*e, "message");
  }
  return str(body, "message");
}

std::string openai_error_body(int status, std::string_view message) {
  return json{{"error", {{"message", message}, {"type", error_type(status)}, {"param", nullptr}, {"code", nullptr}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

std::string anthropic_error_body(int status, std::string_view message) {
  return json{{"type", "error"}, {"error", {{"type", error_type(status)}, {"message", message}}}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

}  // namespace airlock::translate
