#include "translate/responses.h"

#include <algorithm>

#include "http/json_read.h"
#include "translate/answer.h"
#include "translate/fields.h"

namespace airlock::translate {
namespace {

// A message item's content for chat: text for system/developer/assistant, parts for user.
std::variant<Json, Problem> item_content(const Json& content, const std::string& role, const std::string& param) {
  if (content.is_string()) return content;
  if (!content.is_array()) return problem(param, param + " must be a string or a list of parts.");
  Json parts = Json::array();
  std::string text;
  bool only_text = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto& part = content[i];
    std::string p = at(param, i);
    const auto* type = string_member(part, "type");
    if (!type) return problem(p + ".type", p + ".type must be a string.");
    if (*type == "input_text" || *type == "output_text" || *type == "text") {
      const auto* t = string_member(part, "text");
      if (!t) return problem(p + ".text", p + ".text must be a string.");
      parts.push_back({{"type", "text"}, {"text", *t}});
      text += *t;
    } else if (*type == "refusal" && role == "assistant") {
      if (const auto* t = string_member(part, "refusal")) text += *t;
    } else if (*type == "input_image" && role == "user") {
      const auto* url = string_member(part, "image_url");
      if (!url) return problem(p + ".image_url", "Images go to this model's provider as an image_url (a data: or http(s) URL).");
      Json image = {{"url", *url}};
      if (const auto* d = string_member(part, "detail")) image["detail"] = *d;
      parts.push_back({{"type", "image_url"}, {"image_url", std::move(image)}});
      only_text = false;
    } else {
      return untranslatable(p + ".type");
    }
  }
  if (role != "user" || only_text) return Json(text);
  return parts;
}

}  // namespace

std::variant<Json, Problem> responses_to_chat(const Json& req, const ChatOptions& options) {
  // The gateway refuses a body that is not an object before this; the translation stands alone.
  if (!req.is_object()) return problem("body", "The body must be a JSON object.");
  Json out = Json::object();
  if (const Json* m = member(req, "model")) out["model"] = *m;
  Json msgs = Json::array();
  if (const Json* ins = member(req, "instructions")) {
    if (!ins->is_string()) return problem("instructions", "instructions must be a string.");
    if (!ins->get_ref<const std::string&>().empty()) msgs.push_back({{"role", "system"}, {"content", *ins}});
  }
  const Json* input = member(req, "input");
  if (input && input->is_string()) {
    msgs.push_back({{"role", "user"}, {"content", *input}});
  } else if (input && input->is_array()) {
    for (std::size_t i = 0; i < input->size(); ++i) {
      const auto& item = (*input)[i];
      std::string p = at("input", i);
      const auto* type = string_member(item, "type");
      std::string t = type ? *type : "message";
      if (t == "message") {
        const auto* role = string_member(item, "role");
        if (!role || (*role != "user" && *role != "assistant" && *role != "system" && *role != "developer"))
          return problem(p + ".role", p + ".role is user, assistant, system or developer.");
        const Json* content = member(item, "content");
        if (!content) return problem(p + ".content", p + ".content is required.");
        auto c = item_content(*content, *role, p + ".content");
        if (auto* bad = std::get_if<Problem>(&c)) return *bad;
        msgs.push_back({{"role", *role == "developer" ? "system" : *role}, {"content", std::move(std::get<Json>(c))}});
      } else if (t == "function_call") {
        const auto* call_id = string_member(item, "call_id");
        const auto* name = string_member(item, "name");
        const auto* args = string_member(item, "arguments");
        if (!call_id || !name || !args) return problem(p, p + " needs call_id, name and arguments.");
        Json call = {{"id", *call_id}, {"type", "function"}, {"function", {{"name", *name}, {"arguments", *args}}}};
        // Calls in a row belong to one assistant turn, as chat has them.
        if (!msgs.empty() && msgs.back()["role"] == "assistant" && msgs.back().contains("tool_calls"))
          msgs.back()["tool_calls"].push_back(std::move(call));
        else if (!msgs.empty() && msgs.back()["role"] == "assistant")
          msgs.back()["tool_calls"] = Json::array({std::move(call)});
        else
          msgs.push_back({{"role", "assistant"}, {"content", nullptr}, {"tool_calls", Json::array({std::move(call)})}});
      } else if (t == "function_call_output") {
        const auto* call_id = string_member(item, "call_id");
        const Json* output = member(item, "output");
        if (!call_id || !output) return problem(p, p + " needs call_id and output.");
        auto c = item_content(*output, "tool", p + ".output");
        if (auto* bad = std::get_if<Problem>(&c)) return *bad;
        msgs.push_back({{"role", "tool"}, {"tool_call_id", *call_id}, {"content", std::move(std::get<Json>(c))}});
      } else if (t == "reasoning") {
        // An earlier turn's reasoning, encrypted for the model that wrote it: nothing a chat model can read.
      } else {
        return untranslatable(p + ".type");
      }
    }
  } else if (input) {
    return problem("input", "input must be a string or a list of items.");
  }
  out["messages"] = std::move(msgs);

  for (const auto& [key, v] : req.items()) {
    if (v.is_null()) continue;
    if (key == "model" || key == "input" || key == "instructions" || key == "metadata" || key == "prompt_cache_key" ||
        key == "service_tier" || key == "safety_identifier" || key == "stream_options")
      continue;
    if (key == "max_output_tokens") {
      out[options.reasoning_model ? "max_completion_tokens" : "max_tokens"] = v;
    } else if (key == "temperature" || key == "top_p" || key == "parallel_tool_calls" || key == "user") {
      out[key] = v;
    } else if (key == "stream") {
      if (!v.is_boolean()) return problem(key, "stream must be true or false.");
      out["stream"] = v;
      if (v.get<bool>()) out["stream_options"] = {{"include_usage", true}};
    } else if (key == "store") {
      if (!v.is_boolean() || v.get<bool>())
        return problem(key, "This model's provider keeps no responses: send \"store\": false.");
    } else if (key == "tools") {
      if (!v.is_array()) return problem(key, "tools must be a list.");
      Json tools = Json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::string p = at("tools", i);
        const auto* type = string_member(v[i], "type");
        if (!type || *type != "function") return untranslatable(p + ".type");  // hosted tools run at OpenAI only
        const auto* name = string_member(v[i], "name");
        if (!name) return problem(p + ".name", p + ".name must be a string.");
        Json fn = {{"name", *name}};
        if (const auto* d = string_member(v[i], "description")) fn["description"] = *d;
        fn["parameters"] = member(v[i], "parameters") ? v[i]["parameters"] : Json{{"type", "object"}, {"properties", Json::object()}};
        if (const Json* strict = member(v[i], "strict"); strict && strict->is_boolean()) fn["strict"] = *strict;
        tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
      }
      if (!tools.empty()) out["tools"] = std::move(tools);
    } else if (key == "tool_choice") {
      if (v.is_string() && (v == "auto" || v == "none" || v == "required")) out["tool_choice"] = v;
      else if (const auto* name = string_member(v, "name"); name && string_member(v, "type") && *string_member(v, "type") == "function")
        out["tool_choice"] = {{"type", "function"}, {"function", {{"name", *name}}}};
      else return untranslatable(key);
    } else if (key == "text") {
      const Json* format = member(v, "format");
      const auto* type = format ? string_member(*format, "type") : nullptr;
      if (type && *type == "json_object") {
        out["response_format"] = {{"type", "json_object"}};
      } else if (type && *type == "json_schema") {
        Json schema = {{"name", string_member(*format, "name") ? *string_member(*format, "name") : "response"}};
        if (const Json* s = member(*format, "schema")) schema["schema"] = *s;
        if (const Json* s = member(*format, "strict")) schema["strict"] = *s;
        if (const Json* d = member(*format, "description")) schema["description"] = *d;
        out["response_format"] = {{"type", "json_schema"}, {"json_schema", std::move(schema)}};
      } else if (format && !(type && *type == "text")) {
        return untranslatable("text.format");
      }
      if (const auto* verbosity = string_member(v, "verbosity"); verbosity && *verbosity != "medium") return untranslatable("text.verbosity");
    } else if (key == "reasoning") {
      if (const auto* effort = string_member(v, "effort")) out["reasoning_effort"] = *effort;
    } else if (key == "truncation") {
      if (v != "disabled") return untranslatable(key);
    } else if (key == "include") {
      if (!v.is_array()) return problem(key, "include must be a list.");
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!v[i].is_string() || v[i].get<std::string>().rfind("reasoning.", 0) != 0) return untranslatable(at("include", i));
    } else if (key == "background") {
      if (!(v.is_boolean() && !v.get<bool>())) return untranslatable(key);
    } else {
      return untranslatable(key);  // previous_response_id, conversation, prompt, top_logprobs, max_tool_calls, …
    }
  }
  return out;
}

namespace {

nlohmann::json response_usage(const nlohmann::json& u) {
  auto count = [&](const nlohmann::json& o, const char* k) -> std::int64_t {
    auto* v = member(o, k);
    return v && v->is_number_integer() ? std::max<std::int64_t>(0, v->get<std::int64_t>()) : 0;
  };
  std::int64_t cached = 0, reasoning = 0;
  if (const auto* d = member(u, "prompt_tokens_details")) cached = count(*d, "cached_tokens");
  if (const auto* d = member(u, "completion_tokens_details")) reasoning = count(*d, "reasoning_tokens");
  std::int64_t in = count(u, "prompt_tokens"), out = count(u, "completion_tokens");
  return {{"input_tokens", in}, {"input_tokens_details", {{"cached_tokens", cached}}}, {"output_tokens", out},
          {"output_tokens_details", {{"reasoning_tokens", reasoning}}}, {"total_tokens", in + out}};
}

nlohmann::json envelope(const ResponseEcho& echo, const std::string& model, const std::string& status, nlohmann::json output,
                        nlohmann::json usage) {
  const auto& r = echo.request;
  auto echoed = [&](const char* k, nlohmann::json fallback) {
    auto* v = member(r, k);
    return v ? *v : fallback;
  };
  nlohmann::json out = {{"id", echo.id}, {"object", "response"}, {"created_at", echo.created_at}, {"status", status},
                        {"error", nullptr}, {"incomplete_details", nullptr},
                        {"instructions", echoed("instructions", nullptr)}, {"max_output_tokens", echoed("max_output_tokens", nullptr)},
                        {"model", model}, {"output", std::move(output)},
                        {"parallel_tool_calls", echoed("parallel_tool_calls", true)}, {"previous_response_id", nullptr},
                        {"reasoning", {{"effort", nullptr}, {"summary", nullptr}}}, {"store", false},
                        {"temperature", echoed("temperature", 1.0)}, {"text", echoed("text", {{"format", {{"type", "text"}}}})},
                        {"tool_choice", echoed("tool_choice", "auto")}, {"tools", echoed("tools", nlohmann::json::array())},
                        {"top_p", echoed("top_p", 1.0)}, {"truncation", "disabled"}, {"usage", std::move(usage)},
                        {"user", echoed("user", nullptr)}, {"metadata", echoed("metadata", nlohmann::json::object())}};
  if (status == "incomplete") out["incomplete_details"] = {{"reason", "max_output_tokens"}};
  return out;
}

nlohmann::json message_item(const std::string& id, const std::string& text, const char* status) {
  return {{"type", "message"}, {"id", id}, {"status", status}, {"role", "assistant"},
          {"content", nlohmann::json::array({{{"type", "output_text"}, {"text", text}, {"annotations", nlohmann::json::array()}}})}};
}

}  // namespace

nlohmann::json completion_to_response(const nlohmann::json& c, const ResponseEcho& echo) {
  nlohmann::json output = nlohmann::json::array();
  std::string finish;
  std::string base = string_member(c, "id") ? *string_member(c, "id") : "airlock";
  if (const auto* choices = member(c, "choices"); choices && choices->is_array() && !choices->empty()) {
    const auto& choice = (*choices)[0];
    if (const auto* f = string_member(choice, "finish_reason")) finish = *f;
    if (const auto* m = member(choice, "message")) {
      std::string text = string_member(*m, "content") ? *string_member(*m, "content") : "";
      if (text.empty() && string_member(*m, "refusal")) text = *string_member(*m, "refusal");
      if (!text.empty()) output.push_back(message_item("msg_" + base, text, "completed"));
      if (const auto* calls = member(*m, "tool_calls"); calls && calls->is_array())
        for (const auto& call : *calls) {
          const auto* fn = member(call, "function");
          std::string id = string_member(call, "id") ? *string_member(call, "id") : "call";
          output.push_back({{"type", "function_call"}, {"id", "fc_" + id}, {"call_id", id},
                            {"name", fn && string_member(*fn, "name") ? *string_member(*fn, "name") : ""},
                            {"arguments", fn && string_member(*fn, "arguments") ? *string_member(*fn, "arguments") : ""},
                            {"status", "completed"}});
        }
    }
  }
  auto usage = member(c, "usage") ? response_usage(c["usage"]) : nlohmann::json(nullptr);
  return envelope(echo, string_member(c, "model") ? *string_member(c, "model") : "", finish == "length" ? "incomplete" : "completed",
                  std::move(output), std::move(usage));
}

// ---------------------------------------------------------------- streams

void ChatToResponsesStream::emit(const char* type, nlohmann::json data, std::string& out) {
  data["type"] = type;
  data["sequence_number"] = seq_++;
  out.append("event: ").append(type).append("\ndata: ").append(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).append("\n\n");
}

nlohmann::json ChatToResponsesStream::response(const char* status) const {
  return envelope(echo_, model_, status, output_, usage_.is_null() ? nlohmann::json(nullptr) : usage_);
}

void ChatToResponsesStream::start(std::string& out) {
  if (started_) return;
  started_ = true;
  emit("response.created", {{"response", response("in_progress")}}, out);
  emit("response.in_progress", {{"response", response("in_progress")}}, out);
}

void ChatToResponsesStream::close_message(std::string& out) {
  if (message_index_ < 0) return;
  std::string id = "msg_" + echo_.id;
  emit("response.output_text.done", {{"item_id", id}, {"output_index", message_index_}, {"content_index", 0}, {"text", text_}}, out);
  emit("response.content_part.done", {{"item_id", id}, {"output_index", message_index_}, {"content_index", 0},
                                      {"part", {{"type", "output_text"}, {"text", text_}, {"annotations", nlohmann::json::array()}}}},
       out);
  auto item = message_item(id, text_, "completed");
  emit("response.output_item.done", {{"output_index", message_index_}, {"item", item}}, out);
  output_.push_back(std::move(item));
  message_index_ = -1;
}

bool ChatToResponsesStream::on_event(std::string_view data, std::string& out) {
  if (done_) return true;
  if (data == "[DONE]") {
    finish(out);
    return true;
  }
  auto parsed = http::parse_json_strict(data);
  if (!parsed || !parsed->is_object()) return false;
  const auto& c = *parsed;
  if (member(c, "error")) {
    start(out);
    emit("error", {{"code", nullptr}, {"message", error_message(c)}, {"param", nullptr}}, out);
    done_ = true;
    return true;
  }
  if (model_.empty() && string_member(c, "model")) model_ = *string_member(c, "model");
  start(out);
  if (const auto* u = member(c, "usage"); u && u->is_object()) usage_ = response_usage(*u);
  const auto* choices = member(c, "choices");
  if (!choices || !choices->is_array() || choices->empty()) return true;
  const auto& choice = (*choices)[0];
  int next_index = static_cast<int>(output_.size()) + (message_index_ >= 0 ? 1 : 0) + static_cast<int>(calls_.size());
  if (const auto* delta = member(choice, "delta")) {
    std::string text = string_member(*delta, "content") ? *string_member(*delta, "content") : "";
    if (text.empty() && string_member(*delta, "refusal")) text = *string_member(*delta, "refusal");
    if (!text.empty()) {
      if (message_index_ < 0) {
        if (output_.size() + calls_.size() >= kMaxBlocks) return false;
        message_index_ = next_index++;
        text_.clear();
        std::string id = "msg_" + echo_.id;
        auto open = message_item(id, "", "in_progress");
        open["content"] = nlohmann::json::array();
        emit("response.output_item.added", {{"output_index", message_index_}, {"item", open}}, out);
        emit("response.content_part.added", {{"item_id", id}, {"output_index", message_index_}, {"content_index", 0},
                                             {"part", {{"type", "output_text"}, {"text", ""}, {"annotations", nlohmann::json::array()}}}},
             out);
      }
      text_ += text;
      emit("response.output_text.delta", {{"item_id", "msg_" + echo_.id}, {"output_index", message_index_}, {"content_index", 0},
                                          {"delta", text}, {"logprobs", nlohmann::json::array()}},
           out);
    }
    if (const auto* calls = member(*delta, "tool_calls"); calls && calls->is_array()) {
      for (const auto& call : *calls) {
        const auto* ix = member(call, "index");
        std::int64_t index = ix && ix->is_number_integer() ? ix->get<std::int64_t>() : 0;
        const auto* fn = member(call, "function");
        auto it = calls_.find(index);
        if (it == calls_.end()) {
          if (output_.size() + calls_.size() >= kMaxBlocks) return false;
          close_message(out);
          next_index = static_cast<int>(output_.size() + calls_.size());
          std::string call_id = string_member(call, "id") ? *string_member(call, "id") : "call_" + std::to_string(index);
          Call made{next_index, "fc_" + call_id, call_id, fn && string_member(*fn, "name") ? *string_member(*fn, "name") : "", ""};
          it = calls_.emplace(index, std::move(made)).first;
          emit("response.output_item.added",
               {{"output_index", it->second.output_index},
                {"item", {{"type", "function_call"}, {"id", it->second.id}, {"call_id", it->second.call_id},
                          {"name", it->second.name}, {"arguments", ""}, {"status", "in_progress"}}}},
               out);
        }
        if (std::string args = fn && string_member(*fn, "arguments") ? *string_member(*fn, "arguments") : ""; !args.empty()) {
          it->second.arguments += args;
          emit("response.function_call_arguments.delta",
               {{"item_id", it->second.id}, {"output_index", it->second.output_index}, {"delta", args}}, out);
        }
      }
    }
  }
  if (const auto* f = string_member(choice, "finish_reason")) finish_ = *f;
  return true;
}

void ChatToResponsesStream::finish(std::string& out) {
  if (done_) return;
  start(out);
  close_message(out);
  for (auto& [index, call] : calls_) {
    emit("response.function_call_arguments.done",
         {{"item_id", call.id}, {"output_index", call.output_index}, {"arguments", call.arguments}}, out);
    nlohmann::json item = {{"type", "function_call"}, {"id", call.id}, {"call_id", call.call_id}, {"name", call.name},
                           {"arguments", call.arguments}, {"status", "completed"}};
    emit("response.output_item.done", {{"output_index", call.output_index}, {"item", item}}, out);
    output_.push_back(std::move(item));
  }
  calls_.clear();
  bool incomplete = finish_ == "length";
  emit(incomplete ? "response.incomplete" : "response.completed", {{"response", response(incomplete ? "incomplete" : "completed")}}, out);
  done_ = true;
}

}  // namespace airlock::translate
