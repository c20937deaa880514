#include "translate/stream.h"

#include "http/json_read.h"
#include "translate/fields.h"
#include "translate/answer.h"

namespace airlock::translate {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void anthropic_event(const char* name, const json& data, std::string& out) {
  out.append("event: ").append(name).append("\ndata: ").append(dump(data)).append("\n\n");
}

}  // namespace

// ---------------------------------------------------------------- OpenAI → Anthropic

void ChatToMessagesStream::start(std::string& out) {
  if (started_) return;
  started_ = true;
  anthropic_event("message_start",
                  {{"type", "message_start"},
                   {"message", {{"id", id_}, {"type", "message"}, {"role", "assistant"}, {"model", model_},
                                {"content", json::array()}, {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                                {"usage", {{"input_tokens", 0}, {"output_tokens", 0}}}}}},
                  out);
}

void ChatToMessagesStream::close_text(std::string& out) {
  if (text_block_ < 0) return;
  anthropic_event("content_block_stop", {{"type", "content_block_stop"}, {"index", text_block_}}, out);
  text_block_ = -1;
}

bool ChatToMessagesStream::on_event(std::string_view data, std::string& out) {
  if (done_) return true;
  if (data == "[DONE]") {
    finish(out);
    return true;
  }
  auto parsed = http::parse_json_strict(data);
  if (!parsed || !parsed->is_object()) return false;
  const json& c = *parsed;
  if (member(c, "error")) {
    start(out);
    anthropic_event("error",
                    {{"type", "error"}, {"error", {{"type", "api_error"}, {"message", error_message(c)}}}}, out);
    done_ = true;
    return true;
  }
  if (!started_) {
    if (auto id = str(c, "id"); !id.empty()) id_ = id.rfind("msg_", 0) == 0 ? id : "msg_" + id;
    model_ = str(c, "model");
    start(out);
  }
  if (const json* u = member(c, "usage"); u && u->is_object()) usage_ = anthropic_usage(*u);
  const json* choices = member(c, "choices");
  if (!choices || !choices->is_array() || choices->empty()) return true;
  const json& choice = (*choices)[0];
  if (const json* delta = member(choice, "delta")) {
    std::string text = str(*delta, "content");
    if (text.empty()) text = str(*delta, "refusal");
    if (!text.empty()) {
      if (text_block_ < 0) {
        if (static_cast<std::size_t>(next_index_) >= kMaxBlocks) return false;
        text_block_ = next_index_++;
        anthropic_event("content_block_start",
                        {{"type", "content_block_start"}, {"index", text_block_},
                         {"content_block", {{"type", "text"}, {"text", ""}}}},
                        out);
      }
      anthropic_event("content_block_delta",
                      {{"type", "content_block_delta"}, {"index", text_block_}, {"delta", {{"type", "text_delta"}, {"text", text}}}},
                      out);
    }
    if (const json* calls = member(*delta, "tool_calls"); calls && calls->is_array()) {
      for (const auto& call : *calls) {
        const json* ix = member(call, "index");
        std::int64_t openai_index = ix && ix->is_number_integer() ? ix->get<std::int64_t>() : 0;
        const json* fn = member(call, "function");
        auto it = tool_blocks_.find(openai_index);
        if (it == tool_blocks_.end()) {
          if (static_cast<std::size_t>(next_index_) >= kMaxBlocks) return false;
          close_text(out);
          int block = next_index_++;
          it = tool_blocks_.emplace(openai_index, block).first;
          std::string id = str(call, "id");
          if (id.empty()) id = "toolu_airlock_" + std::to_string(block);
          anthropic_event("content_block_start",
                          {{"type", "content_block_start"}, {"index", block},
                           {"content_block", {{"type", "tool_use"}, {"id", id}, {"name", fn ? str(*fn, "name") : ""},
                                              {"input", json::object()}}}},
                          out);
        }
        if (std::string args = fn ? str(*fn, "arguments") : ""; !args.empty())
          anthropic_event("content_block_delta",
                          {{"type", "content_block_delta"}, {"index", it->second},
                           {"delta", {{"type", "input_json_delta"}, {"partial_json", args}}}},
                          out);
      }
    }
  }
  if (auto finish = str(choice, "finish_reason"); !finish.empty()) stop_reason_ = anthropic_stop_reason(finish);
  return true;
}

void ChatToMessagesStream::finish(std::string& out) {
  if (done_) return;
  start(out);
  close_text(out);
  for (const auto& [openai_index, block] : tool_blocks_)
    anthropic_event("content_block_stop", {{"type", "content_block_stop"}, {"index", block}}, out);
  tool_blocks_.clear();
  json usage = usage_.empty() ? json{{"output_tokens", 0}} : usage_;
  anthropic_event("message_delta",
                  {{"type", "message_delta"}, {"delta", {{"stop_reason", stop_reason_}, {"stop_sequence", nullptr}}},
                   {"usage", std::move(usage)}},
                  out);
  anthropic_event("message_stop", {{"type", "message_stop"}}, out);
  done_ = true;
}

// ---------------------------------------------------------------- Anthropic → OpenAI

void MessagesToChatStream::chunk(json delta, const json& finish, std::string& out) const {
  json c = {{"id", id_}, {"object", "chat.completion.chunk"}, {"created", created_}, {"model", model_},
            {"choices", json::array({{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", finish}}})}};
  out.append("data: ").append(dump(c)).append("\n\n");
}

bool MessagesToChatStream::on_event(std::string_view data, std::string& out) {
  if (done_) return true;
  auto parsed = http::parse_json_strict(data);
  if (!parsed || !parsed->is_object()) return false;
  const json& e = *parsed;
  auto type = str(e, "type");
  if (type == "message_start") {
    if (const json* m = member(e, "message")) {
      if (auto id = str(*m, "id"); !id.empty()) id_ = "chatcmpl-" + id;
      model_ = str(*m, "model");
      if (const json* u = member(*m, "usage"); u && u->is_object()) usage_ = *u;
    }
    chunk({{"role", "assistant"}, {"content", ""}}, nullptr, out);
  } else if (type == "content_block_start") {
    const json* block = member(e, "content_block");
    const json* ix = member(e, "index");
    std::int64_t index = ix && ix->is_number_integer() ? ix->get<std::int64_t>() : 0;
    if (block && str(*block, "type") == "tool_use") {
      if (tools_.size() >= kMaxBlocks) return false;
      int k = static_cast<int>(tools_.size());
      tools_[index] = k;
      chunk({{"tool_calls", json::array({{{"index", k}, {"id", str(*block, "id")}, {"type", "function"},
                                          {"function", {{"name", str(*block, "name")}, {"arguments", ""}}}}})}},
            nullptr, out);
    } else if (block && str(*block, "type") == "text") {
      if (auto text = str(*block, "text"); !text.empty()) chunk({{"content", text}}, nullptr, out);
    }
  } else if (type == "content_block_delta") {
    const json* delta = member(e, "delta");
    const json* ix = member(e, "index");
    std::int64_t index = ix && ix->is_number_integer() ? ix->get<std::int64_t>() : 0;
    auto dtype = delta ? str(*delta, "type") : "";
    if (dtype == "text_delta") {
      chunk({{"content", str(*delta, "text")}}, nullptr, out);
    } else if (dtype == "input_json_delta") {
      auto it = tools_.find(index);
      if (it != tools_.end())
        chunk({{"tool_calls", json::array({{{"index", it->second}, {"function", {{"arguments", str(*delta, "partial_json")}}}}})}},
              nullptr, out);
    }
    // thinking_delta and signature_delta: Claude's reasoning has no place in a chat completion
  } else if (type == "message_delta") {
    if (const json* u = member(e, "usage"); u && u->is_object())
      for (const auto& [k, v] : u->items()) usage_[k] = v;
    const json* delta = member(e, "delta");
    auto stop = delta ? str(*delta, "stop_reason") : "";
    chunk(json::object(), openai_finish_reason(stop), out);
  } else if (type == "message_stop") {
    if (include_usage_) {
      json c = {{"id", id_}, {"object", "chat.completion.chunk"}, {"created", created_}, {"model", model_},
                {"choices", json::array()}, {"usage", openai_usage(usage_)}};
      out.append("data: ").append(dump(c)).append("\n\n");
    }
    out.append("data: [DONE]\n\n");
    done_ = true;
  } else if (type == "error") {
    json err = {{"error", {{"message", error_message(e)}, {"type", "api_error"}, {"param", nullptr}, {"code", nullptr}}}};
    out.append("data: ").append(dump(err)).append("\n\n");
    done_ = true;
  }
  return true;  // ping and events yet to come are not the client's business
}

}  // namespace airlock::translate
