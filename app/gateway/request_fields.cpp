#include "gateway/request_fields.h"

#include <algorithm>

namespace airlock::gateway {
namespace {

using Json = nlohmann::ordered_json;

// The member, or nullptr when absent or null.
const Json* member(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

FieldProblem problem(std::string param, std::string message) {
  return FieldProblem{"invalid_request", std::move(param), std::move(message)};
}

// A whole number in [lo, hi]; refuses floats (even 100.0), strings and anything out of range.
std::optional<std::int64_t> whole(const Json& v, std::int64_t lo, std::int64_t hi) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi)) return std::nullopt;
    auto n = static_cast<std::int64_t>(u);
    return n < lo ? std::nullopt : std::optional<std::int64_t>(n);
  }
  if (!v.is_number_integer()) return std::nullopt;
  auto n = v.get<std::int64_t>();
  return n < lo || n > hi ? std::nullopt : std::optional<std::int64_t>(n);
}

std::optional<FieldProblem> read_whole(const Json& body, const char* key, std::int64_t lo, std::int64_t hi,
                                       std::optional<std::int64_t>& out) {
  const Json* v = member(body, key);
  if (!v) return std::nullopt;
  out = whole(*v, lo, hi);
  if (!out)
    return problem(key, std::string(key) + " must be a whole number from " + std::to_string(lo) + " to " +
                            std::to_string(hi) + ".");
  return std::nullopt;
}

// Message content: a string, or a list of parts that are objects (text, image, tool results...).
bool content_ok(const Json& c) {
  if (c.is_string()) return true;
  if (!c.is_array()) return false;
  return std::all_of(c.begin(), c.end(), [](const Json& part) { return part.is_object(); });
}

std::optional<FieldProblem> check_prompt_shape(const Endpoint& ep, const Json& body) {
  std::string scope = ep.scope;
  if (scope == "chat") {
    if (const Json* msgs = member(body, "messages")) {
      if (!msgs->is_array()) return problem("messages", "messages must be a list of message objects.");
      // The field's name is spelled out only for a refusal: this loop runs on every chat request.
      auto at = [](std::size_t i) { return "messages[" + std::to_string(i) + "]"; };
      for (std::size_t i = 0; i < msgs->size(); ++i) {
        const Json& m = (*msgs)[i];
        if (!m.is_object()) return problem(at(i), at(i) + " must be an object.");
        if (const Json* role = member(m, "role"); role && !role->is_string())
          return problem(at(i) + ".role", at(i) + ".role must be a string.");
        if (const Json* c = member(m, "content"); c && !content_ok(*c))
          return problem(at(i) + ".content", at(i) + ".content must be a string or a list of content parts.");
      }
    }
    if (ep.dialect == Dialect::kAnthropic) {
      if (const Json* sys = member(body, "system"); sys && !content_ok(*sys))
        return problem("system", "system must be a string or a list of content blocks.");
    }
  } else if (scope == "completions") {
    if (const Json* p = member(body, "prompt"); p && !p->is_string() && !p->is_array())
      return problem("prompt", "prompt must be a string or a list.");
  } else if (scope == "responses") {
    if (const Json* in = member(body, "input"); in && !in->is_string() && !in->is_array())
      return problem("input", "input must be a string or a list of items.");
    if (const Json* in = member(body, "input"); in && in->is_array())
      for (std::size_t i = 0; i < in->size(); ++i)
        if (!(*in)[i].is_object())
          return problem("input[" + std::to_string(i) + "]", "input[" + std::to_string(i) + "] must be an object.");
    if (const Json* ins = member(body, "instructions"); ins && !ins->is_string())
      return problem("instructions", "instructions must be a string.");
  } else if (scope == "embeddings") {
    if (const Json* in = member(body, "input"); in && !in->is_string() && !in->is_array())
      return problem("input", "input must be a string or a list.");
  }
  if (const Json* tools = member(body, "tools"); tools) {
    if (!tools->is_array() || !std::all_of(tools->begin(), tools->end(), [](const Json& t) { return t.is_object(); }))
      return problem("tools", "tools must be a list of tool objects.");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> RequestFields::generation_cap() const {
  std::optional<std::int64_t> cap;
  for (const auto& v : {max_tokens, max_completion_tokens, max_output_tokens})
    if (v) cap = cap ? std::max(*cap, *v) : *v;
  return cap;
}

std::variant<RequestFields, FieldProblem> read_request_fields(const Endpoint& ep, const Json& body) {
  RequestFields f;
  const Json* m = member(body, "model");
  if (!m || !m->is_string() || m->get_ref<const std::string&>().empty() || m->get_ref<const std::string&>().size() > 200)
    return FieldProblem{"model_required", "model", "Name the model as a string in \"model\"."};
  f.model = m->get<std::string>();

  bool openai = ep.dialect == Dialect::kOpenAI;
  if (auto bad = read_whole(body, "max_tokens", 1, kMaxTokensLimit, f.max_tokens)) return *bad;
  if (openai) {
    if (auto bad = read_whole(body, "max_completion_tokens", 1, kMaxTokensLimit, f.max_completion_tokens)) return *bad;
    if (auto bad = read_whole(body, "max_output_tokens", 1, kMaxTokensLimit, f.max_output_tokens)) return *bad;
    std::optional<std::int64_t> n, best_of;
    if (auto bad = read_whole(body, "n", 1, kMaxChoices, n)) return *bad;
    if (std::string_view(ep.scope) == "completions")
      if (auto bad = read_whole(body, "best_of", 1, kMaxBestOf, best_of)) return *bad;
    f.choices = std::max(n.value_or(1), best_of.value_or(1));
  }

  if (const Json* s = member(body, "stream")) {
    if (!s->is_boolean()) return problem("stream", "stream must be true or false.");
    f.stream = ep.streamable && s->get<bool>();
  }
  if (openai) {
    if (const Json* so = member(body, "stream_options")) {
      if (!so->is_object()) return problem("stream_options", "stream_options must be an object.");
      if (const Json* iu = member(*so, "include_usage")) {
        if (!iu->is_boolean())
          return problem("stream_options.include_usage", "stream_options.include_usage must be true or false.");
        f.include_usage = iu->get<bool>();
      }
    }
  }
  if (auto bad = check_prompt_shape(ep, body)) return *bad;
  return f;
}

}  // namespace airlock::gateway
