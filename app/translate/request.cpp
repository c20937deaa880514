#include "translate/request.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "http/json_read.h"
#include "translate/fields.h"

namespace airlock::translate {
namespace {

using Result = std::variant<Json, Problem>;

bool is_zero(const Json& v) { return v.is_number() && v.get<double>() == 0.0; }

// "data:image/png;base64,AAAA" → media type and data; false when it is not that shape.
bool data_url(std::string_view url, std::string& media, std::string& data) {
  if (url.substr(0, 5) != "data:") return false;
  auto semi = url.find(";base64,");
  if (semi == std::string_view::npos) return false;
  media = std::string(url.substr(5, semi - 5));
  data = std::string(url.substr(semi + 8));
  return true;
}

bool anthropic_image_type(std::string_view m) {
  return m == "image/jpeg" || m == "image/png" || m == "image/gif" || m == "image/webp";
}

// ---------------------------------------------------------------- OpenAI → Anthropic

// Text that is a string or a list of text parts (OpenAI) or blocks (Anthropic), joined by newlines:
// system prompts, developer messages, tool results. Any other part is refused, naming it.
std::variant<std::string, Problem> plain_text(const Json& content, const std::string& param) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return problem(param, param + " must be a string or a list of text parts.");
  std::string out;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto* text = string_member(content[i], "text");
    const auto* type = string_member(content[i], "type");
    if (!text || !type || *type != "text") return untranslatable(at(param, i) + ".type");
    out += (out.empty() ? "" : "\n") + *text;
  }
  return out;
}

std::variant<Json, Problem> image_block(const Json& part, const std::string& param) {
  const Json* iu = member(part, "image_url");
  const std::string* url = iu && iu->is_string() ? &iu->get_ref<const std::string&>() : iu ? string_member(*iu, "url") : nullptr;
  if (!url) return problem(param + ".image_url.url", param + ".image_url.url must be a string.");
  std::string media, data;
  if (data_url(*url, media, data)) {
    if (!anthropic_image_type(media))
      return problem(param + ".image_url.url", "Images go to this model's provider as JPEG, PNG, GIF or WebP only.");
    return Json{{"type", "image"}, {"source", {{"type", "base64"}, {"media_type", media}, {"data", data}}}};
  }
  if (url->rfind("https://", 0) == 0 || url->rfind("http://", 0) == 0)
    return Json{{"type", "image"}, {"source", {{"type", "url"}, {"url", *url}}}};
  return problem(param + ".image_url.url", "An image is a data: URL with base64 data, or an http(s) URL.");
}

// A user message's content as Anthropic blocks.
std::variant<Json, Problem> user_blocks(const Json& content, const std::string& param) {
  Json blocks = Json::array();
  if (content.is_string()) {
    blocks.push_back({{"type", "text"}, {"text", content}});
    return blocks;
  }
  if (!content.is_array()) return problem(param, param + " must be a string or a list of parts.");
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto& part = content[i];
    const auto* type = string_member(part, "type");
    std::string p = at(param, i);
    if (type && *type == "text" && string_member(part, "text")) {
      blocks.push_back({{"type", "text"}, {"text", part["text"]}});
    } else if (type && *type == "image_url") {
      auto img = image_block(part, p);
      if (auto* bad = std::get_if<Problem>(&img)) return *bad;
      blocks.push_back(std::move(std::get<Json>(img)));
    } else {
      return untranslatable(p + ".type");
    }
  }
  return blocks;
}

// One tool call's arguments (a JSON text) as the object Anthropic's tool_use.input is.
std::variant<Json, Problem> tool_input(const Json& call, const std::string& param) {
  const Json* fn = member(call, "function");
  const auto* args = fn ? string_member(*fn, "arguments") : nullptr;
  if (!args) return problem(param + ".function.arguments", param + ".function.arguments must be a string.");
  if (args->empty()) return Json::object();
  auto parsed = http::parse_json_strict_ordered(*args);
  if (!parsed || !parsed->is_object())
    return problem(param + ".function.arguments", param + ".function.arguments must be a JSON object for this model's provider.");
  return std::move(*parsed);
}

std::variant<Json, Problem> assistant_blocks(const Json& m, const std::string& param) {
  Json blocks = Json::array();
  if (const Json* c = member(m, "content")) {
    if (c->is_string()) {
      if (!c->get_ref<const std::string&>().empty()) blocks.push_back({{"type", "text"}, {"text", *c}});
    } else if (c->is_array()) {
      for (std::size_t i = 0; i < c->size(); ++i) {
        const auto& part = (*c)[i];
        const auto* type = string_member(part, "type");
        const auto* text = type && *type == "refusal" ? string_member(part, "refusal") : string_member(part, "text");
        if (!type || (*type != "text" && *type != "refusal") || !text) return untranslatable(at(param + ".content", i) + ".type");
        if (!text->empty()) blocks.push_back({{"type", "text"}, {"text", *text}});
      }
    } else {
      return problem(param + ".content", param + ".content must be a string or a list of parts.");
    }
  }
  if (const auto* refusal = string_member(m, "refusal"); refusal && !refusal->empty())
    blocks.push_back({{"type", "text"}, {"text", *refusal}});
  if (member(m, "function_call")) return untranslatable(param + ".function_call");
  if (const Json* calls = member(m, "tool_calls")) {
    if (!calls->is_array()) return problem(param + ".tool_calls", param + ".tool_calls must be a list.");
    for (std::size_t i = 0; i < calls->size(); ++i) {
      const auto& call = (*calls)[i];
      std::string p = at(param + ".tool_calls", i);
      const auto* type = string_member(call, "type");
      if (type && *type != "function") return untranslatable(p + ".type");
      const auto* id = string_member(call, "id");
      const Json* fn = member(call, "function");
      const auto* name = fn ? string_member(*fn, "name") : nullptr;
      if (!id || !name) return problem(p, p + " needs an id and a function name.");
      auto input = tool_input(call, p);
      if (auto* bad = std::get_if<Problem>(&input)) return *bad;
      blocks.push_back({{"type", "tool_use"}, {"id", *id}, {"name", *name}, {"input", std::move(std::get<Json>(input))}});
    }
  }
  return blocks;
}

// Appends blocks to the conversation, merging with the previous turn of the same role. Tool
// results go before any other block of their user turn, as Anthropic requires.
void append_turn(Json& msgs, const char* role, Json blocks) {
  if (blocks.empty()) return;
  if (!msgs.empty() && msgs.back()["role"] == role) {
    auto& content = msgs.back()["content"];
    for (auto& b : blocks) {
      if (b["type"] == "tool_result") {
        auto pos = content.begin();
        while (pos != content.end() && (*pos)["type"] == "tool_result") ++pos;
        content.insert(pos, std::move(b));
      } else {
        content.push_back(std::move(b));
      }
    }
    return;
  }
  msgs.push_back({{"role", role}, {"content", std::move(blocks)}});
}

std::variant<Json, Problem> chat_tools(const Json& tools) {
  if (!tools.is_array()) return problem("tools", "tools must be a list.");
  Json out = Json::array();
  for (std::size_t i = 0; i < tools.size(); ++i) {
    std::string p = at("tools", i);
    const auto* type = string_member(tools[i], "type");
    if (!type || *type != "function") return untranslatable(p + ".type");
    const Json* fn = member(tools[i], "function");
    const auto* name = fn ? string_member(*fn, "name") : nullptr;
    if (!name) return problem(p + ".function.name", p + ".function.name must be a string.");
    Json t = {{"name", *name}};
    if (const auto* d = string_member(*fn, "description")) t["description"] = *d;
    const Json* params = member(*fn, "parameters");
    if (params && !params->is_object()) return problem(p + ".function.parameters", p + ".function.parameters must be an object.");
    t["input_schema"] = params ? *params : Json{{"type", "object"}, {"properties", Json::object()}};
    out.push_back(std::move(t));
  }
  return out;
}

std::variant<Json, Problem> chat_tool_choice(const Json& tc) {
  if (tc.is_string()) {
    const auto& s = tc.get_ref<const std::string&>();
    if (s == "auto") return Json{{"type", "auto"}};
    if (s == "none") return Json{{"type", "none"}};
    if (s == "required") return Json{{"type", "any"}};
  } else if (const auto* type = string_member(tc, "type"); type && *type == "function") {
    const Json* fn = member(tc, "function");
    if (const auto* name = fn ? string_member(*fn, "name") : nullptr) return Json{{"type", "tool"}, {"name", *name}};
  }
  return problem("tool_choice", "tool_choice is auto, none, required or a function by name.");
}

}  // namespace

std::variant<Json, Problem> chat_to_messages(const Json& chat) {
  Json out = Json::object();
  if (const Json* m = member(chat, "model")) out["model"] = *m;
  const Json* msgs = member(chat, "messages");
  if (!msgs || !msgs->is_array()) return problem("messages", "messages must be a list of message objects.");
  Json system = Json::array();
  Json turns = Json::array();
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    const auto& m = (*msgs)[i];
    std::string p = at("messages", i);
    const auto* role = string_member(m, "role");
    if (!role) return problem(p + ".role", p + ".role must be a string.");
    const Json* content = member(m, "content");
    if (*role == "system" || *role == "developer") {
      if (!content) continue;
      auto text = plain_text(*content, p + ".content");
      if (auto* bad = std::get_if<Problem>(&text)) return *bad;
      system.push_back({{"type", "text"}, {"text", std::get<std::string>(text)}});
    } else if (*role == "user") {
      if (!content) return problem(p + ".content", p + ".content is required.");
      auto blocks = user_blocks(*content, p + ".content");
      if (auto* bad = std::get_if<Problem>(&blocks)) return *bad;
      append_turn(turns, "user", std::move(std::get<Json>(blocks)));
    } else if (*role == "assistant") {
      auto blocks = assistant_blocks(m, p);
      if (auto* bad = std::get_if<Problem>(&blocks)) return *bad;
      append_turn(turns, "assistant", std::move(std::get<Json>(blocks)));
    } else if (*role == "tool") {
      const auto* id = string_member(m, "tool_call_id");
      if (!id) return problem(p + ".tool_call_id", p + ".tool_call_id must be a string.");
      Json result = {{"type", "tool_result"}, {"tool_use_id", *id}};
      if (content) {
        auto text = plain_text(*content, p + ".content");
        if (auto* bad = std::get_if<Problem>(&text)) return *bad;
        result["content"] = std::get<std::string>(text);
      }
      append_turn(turns, "user", Json::array({std::move(result)}));
    } else {
      return untranslatable(p + ".role");
    }
  }
  if (!system.empty()) out["system"] = std::move(system);
  out["messages"] = std::move(turns);

  const Json* mct = member(chat, "max_completion_tokens");
  const Json* mt = member(chat, "max_tokens");
  out["max_tokens"] = mct ? *mct : mt ? *mt : Json(kDefaultMaxTokens);

  bool parallel_off = false;
  for (const auto& [key, v] : chat.items()) {
    if (v.is_null()) continue;
    if (key == "model" || key == "messages" || key == "max_tokens" || key == "max_completion_tokens" || key == "seed" ||
        key == "store" || key == "service_tier" || key == "metadata" || key == "stream_options")
      continue;
    if (key == "temperature") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1)
        return problem(key, "temperature is from 0 to 1 at this model's provider.");
      out["temperature"] = v;
    } else if (key == "top_p") {
      if (!v.is_number()) return problem(key, "top_p must be a number.");
      out["top_p"] = v;
    } else if (key == "stop") {
      Json seqs = Json::array();
      if (v.is_string()) seqs.push_back(v);
      else if (v.is_array() && std::all_of(v.begin(), v.end(), [](const Json& s) { return s.is_string(); })) seqs = v;
      else return problem(key, "stop must be a string or a list of strings.");
      if (!seqs.empty()) out["stop_sequences"] = std::move(seqs);
    } else if (key == "stream") {
      if (!v.is_boolean()) return problem(key, "stream must be true or false.");
      out["stream"] = v;
    } else if (key == "tools") {
      auto tools = chat_tools(v);
      if (auto* bad = std::get_if<Problem>(&tools)) return *bad;
      if (!std::get<Json>(tools).empty()) out["tools"] = std::move(std::get<Json>(tools));
    } else if (key == "tool_choice") {
      auto tc = chat_tool_choice(v);
      if (auto* bad = std::get_if<Problem>(&tc)) return *bad;
      out["tool_choice"] = std::move(std::get<Json>(tc));
    } else if (key == "parallel_tool_calls") {
      if (!v.is_boolean()) return problem(key, "parallel_tool_calls must be true or false.");
      parallel_off = !v.get<bool>();
    } else if (key == "user") {
      if (!v.is_string()) return problem(key, "user must be a string.");
      out["metadata"] = {{"user_id", v}};
    } else if (key == "n") {
      if (!(v.is_number_integer() && v.get<std::int64_t>() == 1)) return untranslatable(key);
    } else if (key == "logprobs") {
      if (!(v.is_boolean() && !v.get<bool>())) return untranslatable(key);
    } else if (key == "response_format") {
      const auto* type = string_member(v, "type");
      if (!type || *type != "text") return untranslatable(key);
    } else if (key == "presence_penalty" || key == "frequency_penalty") {
      if (!is_zero(v)) return untranslatable(key);
    } else if (key == "logit_bias") {
      if (!(v.is_object() && v.empty())) return untranslatable(key);
    } else if (key == "modalities") {
      if (!(v.is_array() && v.size() == 1 && v[0] == "text")) return untranslatable(key);
    } else {
      return untranslatable(key);
    }
  }
  if (parallel_off && out.contains("tools")) {
    if (!out.contains("tool_choice")) out["tool_choice"] = {{"type", "auto"}};
    if (out["tool_choice"]["type"] != "none") out["tool_choice"]["disable_parallel_tool_use"] = true;
  }
  return out;
}

// ---------------------------------------------------------------- Anthropic → OpenAI

namespace {

std::string image_url_of(const Json& block, const std::string& param, Problem* bad) {
  const Json* src = member(block, "source");
  const auto* type = src ? string_member(*src, "type") : nullptr;
  if (type && *type == "base64") {
    const auto* media = string_member(*src, "media_type");
    const auto* data = string_member(*src, "data");
    if (media && data) return "data:" + *media + ";base64," + *data;
  } else if (type && *type == "url") {
    if (const auto* url = string_member(*src, "url")) return *url;
  }
  *bad = problem(param + ".source", param + ".source must be base64 data or a URL.");
  return {};
}

// A tool_result's content as text (strings and text blocks; an image cannot go in a tool message).
std::variant<std::string, Problem> result_text(const Json& block, const std::string& param) {
  std::string text;
  if (const Json* c = member(block, "content")) {
    auto read = plain_text(*c, param + ".content");
    if (auto* bad = std::get_if<Problem>(&read)) return *bad;
    text = std::move(std::get<std::string>(read));
  }
  if (const Json* err = member(block, "is_error"); err && err->is_boolean() && err->get<bool>()) text = "[tool error] " + text;
  return text;
}

// A user turn: its tool results become tool messages (first, in order), the rest one user message.
std::optional<Problem> user_turn(const Json& content, const std::string& param, Json& out) {
  if (content.is_string()) {
    out.push_back({{"role", "user"}, {"content", content}});
    return std::nullopt;
  }
  if (!content.is_array()) return problem(param, param + " must be a string or a list of blocks.");
  Json parts = Json::array();
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto& b = content[i];
    std::string p = at(param, i);
    const auto* type = string_member(b, "type");
    if (!type) return problem(p + ".type", p + ".type must be a string.");
    if (*type == "text") {
      const auto* t = string_member(b, "text");
      if (!t) return problem(p + ".text", p + ".text must be a string.");
      parts.push_back({{"type", "text"}, {"text", *t}});
    } else if (*type == "image") {
      Problem bad;
      auto url = image_url_of(b, p, &bad);
      if (url.empty()) return bad;
      parts.push_back({{"type", "image_url"}, {"image_url", {{"url", url}}}});
    } else if (*type == "tool_result") {
      const auto* id = string_member(b, "tool_use_id");
      if (!id) return problem(p + ".tool_use_id", p + ".tool_use_id must be a string.");
      auto text = result_text(b, p);
      if (auto* bad = std::get_if<Problem>(&text)) return *bad;
      out.push_back({{"role", "tool"}, {"tool_call_id", *id}, {"content", std::get<std::string>(text)}});
    } else {
      return untranslatable(p + ".type");
    }
  }
  if (parts.size() == 1 && parts[0]["type"] == "text") out.push_back({{"role", "user"}, {"content", parts[0]["text"]}});
  else if (!parts.empty()) out.push_back({{"role", "user"}, {"content", std::move(parts)}});
  return std::nullopt;
}

std::optional<Problem> assistant_turn(const Json& content, const std::string& param, Json& out) {
  if (content.is_string()) {
    out.push_back({{"role", "assistant"}, {"content", content}});
    return std::nullopt;
  }
  if (!content.is_array()) return problem(param, param + " must be a string or a list of blocks.");
  std::string text;
  Json calls = Json::array();
  for (std::size_t i = 0; i < content.size(); ++i) {
    const auto& b = content[i];
    std::string p = at(param, i);
    const auto* type = string_member(b, "type");
    if (!type) return problem(p + ".type", p + ".type must be a string.");
    if (*type == "text") {
      const auto* t = string_member(b, "text");
      if (!t) return problem(p + ".text", p + ".text must be a string.");
      text += *t;
    } else if (*type == "tool_use") {
      const auto* id = string_member(b, "id");
      const auto* name = string_member(b, "name");
      const Json* input = member(b, "input");
      if (!id || !name) return problem(p, p + " needs an id and a name.");
      std::string args = input ? input->dump(-1, ' ', false, Json::error_handler_t::replace) : "{}";
      calls.push_back({{"id", *id}, {"type", "function"}, {"function", {{"name", *name}, {"arguments", args}}}});
    } else if (*type == "thinking" || *type == "redacted_thinking") {
      // Claude's own earlier reasoning, signed for Claude: no other model can take it back.
    } else {
      return untranslatable(p + ".type");
    }
  }
  Json m = {{"role", "assistant"}, {"content", text.empty() && !calls.empty() ? Json(nullptr) : Json(text)}};
  if (!calls.empty()) m["tool_calls"] = std::move(calls);
  out.push_back(std::move(m));
  return std::nullopt;
}

}  // namespace

std::variant<Json, Problem> messages_to_chat(const Json& req, const ChatOptions& options) {
  Json out = Json::object();
  if (const Json* m = member(req, "model")) out["model"] = *m;
  Json msgs = Json::array();
  if (const Json* sys = member(req, "system")) {
    auto text = plain_text(*sys, "system");
    if (auto* bad = std::get_if<Problem>(&text)) return *bad;
    if (!std::get<std::string>(text).empty()) msgs.push_back({{"role", "system"}, {"content", std::get<std::string>(text)}});
  }
  const Json* turns = member(req, "messages");
  if (!turns || !turns->is_array()) return problem("messages", "messages must be a list of message objects.");
  for (std::size_t i = 0; i < turns->size(); ++i) {
    std::string p = at("messages", i);
    const auto* role = string_member((*turns)[i], "role");
    const Json* content = member((*turns)[i], "content");
    if (!role || !content) return problem(p, p + " needs a role and content.");
    std::optional<Problem> bad;
    if (*role == "user") bad = user_turn(*content, p + ".content", msgs);
    else if (*role == "assistant") bad = assistant_turn(*content, p + ".content", msgs);
    else return untranslatable(p + ".role");
    if (bad) return *bad;
  }
  out["messages"] = std::move(msgs);

  bool parallel_off = false;
  for (const auto& [key, v] : req.items()) {
    if (v.is_null()) continue;
    if (key == "model" || key == "messages" || key == "system" || key == "service_tier") continue;
    if (key == "max_tokens") {
      out[options.reasoning_model ? "max_completion_tokens" : "max_tokens"] = v;
    } else if (key == "temperature" || key == "top_p") {
      if (!v.is_number()) return problem(key, key + " must be a number.");
      out[key] = v;
    } else if (key == "stop_sequences") {
      if (!v.is_array() || !std::all_of(v.begin(), v.end(), [](const Json& s) { return s.is_string(); }))
        return problem(key, "stop_sequences must be a list of strings.");
      if (!v.empty()) out["stop"] = v;
    } else if (key == "stream") {
      if (!v.is_boolean()) return problem(key, "stream must be true or false.");
      out["stream"] = v;
      if (v.get<bool>()) out["stream_options"] = {{"include_usage", true}};
    } else if (key == "tools") {
      if (!v.is_array()) return problem(key, "tools must be a list.");
      Json tools = Json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        std::string p = at("tools", i);
        const auto* type = string_member(v[i], "type");
        if (type && *type != "custom") return untranslatable(p + ".type");  // server tools run at Anthropic only
        const auto* name = string_member(v[i], "name");
        if (!name) return problem(p + ".name", p + ".name must be a string.");
        Json fn = {{"name", *name}};
        if (const auto* d = string_member(v[i], "description")) fn["description"] = *d;
        const Json* schema = member(v[i], "input_schema");
        if (schema && !schema->is_object()) return problem(p + ".input_schema", p + ".input_schema must be an object.");
        fn["parameters"] = schema ? *schema : Json{{"type", "object"}, {"properties", Json::object()}};
        tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
      }
      if (!tools.empty()) out["tools"] = std::move(tools);
    } else if (key == "tool_choice") {
      const auto* type = string_member(v, "type");
      if (!type) return problem(key, "tool_choice.type must be a string.");
      if (*type == "auto") out["tool_choice"] = "auto";
      else if (*type == "any") out["tool_choice"] = "required";
      else if (*type == "none") out["tool_choice"] = "none";
      else if (const auto* name = string_member(v, "name"); *type == "tool" && name)
        out["tool_choice"] = {{"type", "function"}, {"function", {{"name", *name}}}};
      else return problem(key, "tool_choice is auto, any, none or a tool by name.");
      if (const Json* d = member(v, "disable_parallel_tool_use"); d && d->is_boolean()) parallel_off = d->get<bool>();
    } else if (key == "metadata") {
      if (const auto* user = string_member(v, "user_id")) out["user"] = *user;
    } else if (key == "thinking") {
      const auto* type = string_member(v, "type");
      if (!type || *type != "disabled") return untranslatable(key);
    } else {
      return untranslatable(key);  // top_k, container, mcp_servers, …
    }
  }
  if (parallel_off && out.contains("tools")) out["parallel_tool_calls"] = false;
  return out;
}

}  // namespace airlock::translate
