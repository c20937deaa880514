// Fake LLM vendor for the integration tests (usage: mock_upstream [--tls-cert F --tls-key F]): OpenAI-
// and Anthropic-shaped endpoints on 127.0.0.1. It records every /v1/* request so tests see what Airlock
// sent, and the body's "model" picks a misbehaviour (errors, delays, hangs, broken streams).
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/process_init.h"
#include "core/bytes.h"

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;  // replies keep the vendors' documented field order
using httplib::Request, httplib::Response;

constexpr std::int64_t kStepMs = 10;  // how soon a wait notices a departed client or a shutdown
constexpr std::int64_t kCreated = 1'700'000'000;
constexpr const char* kReply = "Hello from mock.";

// Set on SIGTERM/SIGINT so long waits end and the thread pool can join its workers.
std::atomic<bool> g_stopping{false};

class Recorder {
 public:
  void record(const Request& req) {
    ojson headers = ojson::object();
    for (const auto& [name, value] : req.headers) {
      std::string key = name;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      auto it = headers.find(key);
      // libstdc++'s unordered_multimap yields repeats newest first; prepending restores arrival
      // order, which is the order a proxy must preserve.
      if (it == headers.end()) headers[key] = value;
      else *it = value + ", " + it->get<std::string>();
    }
    std::lock_guard lock(mu_);
    requests_.push_back({{"method", req.method}, {"path", req.path}, {"headers", std::move(headers)},
                         {"body", req.body}, {"remote_port", req.remote_port}});
    ports_.insert(req.remote_port);
  }
  ojson requests() const { std::lock_guard lock(mu_); return {{"requests", requests_}}; }
  ojson stats() const {
    std::lock_guard lock(mu_);
    // Distinct client ports stand in for distinct connections: keep-alive reuses one port.
    return {{"requests", requests_.size()}, {"connections", ports_.size()}, {"cancelled", cancelled_}};
  }
  void reset() {
    std::lock_guard lock(mu_);
    requests_.clear();
    ports_.clear();
    cancelled_ = 0;
  }
  void count_cancelled() { std::lock_guard lock(mu_); ++cancelled_; }

 private:
  mutable std::mutex mu_;
  ojson::array_t requests_;
  std::set<int> ports_;
  std::int64_t cancelled_ = 0;
};

// What the model name asks for; all defaults mean "answer normally, at once".
struct Behaviour {
  int fail_status = 0;
  std::int64_t delay_ms = 0;  // before any answer
  std::int64_t gap_ms = 0;    // between stream events
  std::size_t break_after = SIZE_MAX;  // events sent before the connection is cut
  bool burst = false;  // the whole stream in one write, as a fast or busy model's events arrive together
};

std::optional<std::int64_t> suffix_ms(std::string_view model, std::string_view prefix) {
  if (!model.starts_with(prefix)) return std::nullopt;
  std::string_view digits = model.substr(prefix.size());
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
  if (ec != std::errc() || end != digits.data() + digits.size() || ms < 0) return std::nullopt;
  return ms;
}

Behaviour behaviour_for(std::string_view model) {
  Behaviour b;
  for (int status : {400, 401, 429, 500, 502, 503}) {
    if (model == "fail-" + std::to_string(status)) b.fail_status = status;
  }
  if (model == "hang") b.delay_ms = 120'000;
  if (auto ms = suffix_ms(model, "slow-")) b.delay_ms = *ms;
  if (model == "stream-slow") b.gap_ms = 300;
  if (auto ms = suffix_ms(model, "stream-delay-")) b.gap_ms = *ms;
  if (model == "stream-break") b.break_after = 2;
  if (model == "stream-burst") b.burst = true;
  return b;
}

// httplib's liveness checks (req.is_connection_closed(), sink.is_writable()) peek the raw socket, so
// a TLS client that sends close_notify before its FIN looks alive while we wait. poll(POLLRDHUP) sees
// a FIN behind unread bytes, but handlers get no socket: find ours by its (unique) address pair.
int socket_of(const Request& req) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_in peer{}, local{};
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0 && peer.sin_family == AF_INET &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) == 0 &&
        ntohs(peer.sin_port) == req.remote_port && ntohs(local.sin_port) == req.local_port) {
      return fd;
    }
  }
  return -1;
}

bool peer_hung_up(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return fd >= 0 && ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// Sleeps in small steps; false when cut short by a departed client or a shutdown.
bool pause_while(std::int64_t ms, const std::function<bool()>& still_wanted) {
  for (std::int64_t waited = 0; waited < ms; waited += kStepMs) {
    if (g_stopping || !still_wanted()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kStepMs, ms - waited)));
  }
  return !g_stopping && still_wanted();
}

bool flag(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

void send_json(Response& res, int status, const ojson& body) {
  res.status = status;
  // The request log echoes client bytes, which need not be valid UTF-8.
  res.set_content(body.dump(-1, ' ', false, ojson::error_handler_t::replace), "application/json");
}

void send_error(Response& res, int status, const char* message = "mock failure") {
  if (status == 429) res.set_header("retry-after", "1");
  send_json(res, status, {{"error", {{"message", message}, {"type", "mock_error"}, {"code", "mock"}}}});
}

// OpenAI's base64 embedding is the raw float32 array in little-endian order, i.e. our memory image.
ojson embedding_vector(bool as_base64) {
  static_assert(std::endian::native == std::endian::little, "the base64 form copies floats as they lie");
  const float values[] = {0.1f, 0.2f, 0.3f};
  if (!as_base64) return ojson::array({0.1, 0.2, 0.3});
  // 12 bytes need no padding, so standard base64 differs from base64url only in two letters.
  std::string text = airlock::core::to_base64url(reinterpret_cast<const std::uint8_t*>(values), sizeof values);
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  return text;
}

// The stream's text deltas: the echo in 5-byte pieces, else "tok1 " … "tok4 ".
std::vector<std::string> deltas(const std::optional<std::string>& echo, int count) {
  std::vector<std::string> out;
  if (echo) {
    for (std::size_t i = 0; i < echo->size(); i += 5) out.push_back(echo->substr(i, 5));
    return out;
  }
  for (int i = 1; i <= count; ++i) out.push_back("tok" + std::to_string(i) + " ");
  return out;
}

std::string sse_data(const ojson& j) { return "data: " + j.dump() + "\n\n"; }
std::string sse_event(const char* name, const ojson& j) { return std::string("event: ") + name + "\n" + sse_data(j); }

std::vector<std::string> openai_events_from(const std::string& model, bool include_usage,
                                            const std::vector<std::string>& pieces) {
  auto chunk = [&](ojson choices) {
    return ojson{{"id", "chatcmpl-mock"}, {"object", "chat.completion.chunk"}, {"created", kCreated},
                 {"model", model},        {"choices", std::move(choices)}};
  };
  std::vector<std::string> events;
  for (std::size_t i = 0; i <= pieces.size(); ++i) {
    ojson delta = i == 0 ? ojson{{"role", "assistant"}, {"content", ""}} : ojson{{"content", pieces[i - 1]}};
    bool last = i == pieces.size();
    ojson choice = {{"index", 0}, {"delta", delta}, {"finish_reason", last ? ojson("stop") : ojson(nullptr)}};
    events.push_back(sse_data(chunk(ojson::array({choice}))));
  }
  if (include_usage) {
    ojson last = chunk(ojson::array());
    last["usage"] = {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}};
    events.push_back(sse_data(last));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::vector<std::string> openai_events(const std::string& model, bool include_usage,
                                       const std::optional<std::string>& echo = std::nullopt) {
  return openai_events_from(model, include_usage, deltas(echo, 4));
}

std::vector<std::string> anthropic_events(const std::string& model, const std::optional<std::string>& echo = std::nullopt) {
  ojson message = {{"id", "msg_mock"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                   {"content", ojson::array()}, {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}};
  std::vector<std::string> events;
  events.push_back(sse_event("message_start", {{"type", "message_start"}, {"message", message}}));
  events.push_back(sse_event("content_block_start", {{"type", "content_block_start"}, {"index", 0},
                                                     {"content_block", {{"type", "text"}, {"text", ""}}}}));
  for (const auto& piece : deltas(echo, 3)) {
    ojson delta = {{"type", "text_delta"}, {"text", piece}};
    events.push_back(
        sse_event("content_block_delta", {{"type", "content_block_delta"}, {"index", 0}, {"delta", delta}}));
  }
  events.push_back(sse_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
  events.push_back(sse_event("message_delta", {{"type", "message_delta"}, {"delta", {{"stop_reason", "end_turn"}}},
                                               {"usage", {{"output_tokens", 3}}}}));
  events.push_back(sse_event("message_stop", {{"type", "message_stop"}}));
  return events;
}

// What a vendor route gets once the shared front half has let the request through.
struct Call {
  const json& body;
  std::string model;
  Behaviour behaviour;
  int fd;  // our socket, looked up only when the model asks us to wait
  Response& res;
};

struct StreamState {
  std::vector<std::string> events;
  std::size_t next = 0;
  bool broke_on_purpose = false;
};

// One event per provider call and sink.write, so each reaches the wire as its own chunk.
void start_stream(Recorder& rec, const Call& c, std::vector<std::string> events) {
  if (c.behaviour.burst) {
    std::string all;
    for (const auto& e : events) all += e;
    events = {std::move(all)};
  }
  auto state = std::make_shared<StreamState>(StreamState{std::move(events)});
  c.res.status = 200;
  c.res.set_header("Cache-Control", "no-cache");
  c.res.set_chunked_content_provider(
      "text/event-stream",
      [state, b = c.behaviour, fd = c.fd](std::size_t, httplib::DataSink& sink) {
        if (state->next == b.break_after) {
          state->broke_on_purpose = true;  // false without done(): the connection drops, no last chunk
          return false;
        }
        auto present = [&sink, fd] { return sink.is_writable() && !peer_hung_up(fd); };
        if (state->next > 0 && b.gap_ms > 0 && !pause_while(b.gap_ms, present)) return false;
        const std::string& event = state->events[state->next++];
        if (!sink.write(event.data(), event.size())) return false;
        if (state->next == state->events.size()) sink.done();
        return true;
      },
      [&rec, state](bool success) {
        if (!success && !state->broke_on_purpose && !g_stopping) rec.count_cancelled();
      });
}

using VendorReply = std::function<void(const Call&)>;

// The front half of every vendor POST: record, parse, then apply the model's delay or failure.
void serve_vendor(Recorder& rec, const Request& req, Response& res, const char* id_header, const VendorReply& reply) {
  rec.record(req);
  res.set_header(id_header, "mock-req-1");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return send_error(res, 400);
  auto it = body.find("model");
  std::string model = it != body.end() && it->is_string() ? it->get<std::string>() : "";
  Behaviour b = behaviour_for(model);
  int fd = b.delay_ms > 0 || b.gap_ms > 0 ? socket_of(req) : -1;
  auto present = [&req, fd] { return !req.is_connection_closed() && !peer_hung_up(fd); };
  if (b.delay_ms > 0 && !pause_while(b.delay_ms, present)) {
    if (!g_stopping) rec.count_cancelled();
    return;
  }
  if (b.fail_status != 0) return send_error(res, b.fail_status);
  reply(Call{body, model, b, fd, res});
}

// Models named "echo…" (and "tool…") answer with the last message's text (a string content), and stream it in
// pieces of 5 bytes, so what the gateway does to an answer, and to text split across events, shows.
std::optional<std::string> echo_text(const Call& c) {
  if (!c.model.starts_with("echo") && !c.model.starts_with("tool")) return std::nullopt;
  auto msgs = c.body.find("messages");
  if (msgs == c.body.end() || !msgs->is_array() || msgs->empty()) return std::string();
  const auto& last = msgs->back();
  auto content = last.find("content");
  if (content == last.end()) return std::string();
  if (content->is_string()) return content->get<std::string>();
  // Anthropic's blocks (also what a translated OpenAI request carries): the text blocks, joined.
  std::string text;
  if (content->is_array())
    for (const auto& b : *content)
      if (b.is_object() && b.value("type", "") == "text" && b.contains("text") && b["text"].is_string())
        text += b["text"].get<std::string>();
  return text;
}

// Models named "tool…" echo like "echo…" and, when the request offers tools, call the first one:
// a sentence, then the call with these arguments, streamed in 7-byte pieces (a call split across
// events). Anthropic answers carry cache tokens, so their translation shows.
constexpr const char* kToolText = "Checking the weather.";
constexpr const char* kToolArgs = R"({"city":"Paris","unit":"celsius"})";

std::optional<std::string> tool_to_call(const Call& c, bool anthropic) {
  if (!c.model.starts_with("tool")) return std::nullopt;
  auto tools = c.body.find("tools");
  if (tools == c.body.end() || !tools->is_array() || tools->empty() || !(*tools)[0].is_object()) return std::nullopt;
  const auto& t = (*tools)[0];
  const auto* holder = anthropic ? &t : (t.contains("function") && t["function"].is_object() ? &t["function"] : nullptr);
  if (!holder || !holder->contains("name") || !(*holder)["name"].is_string()) return std::nullopt;
  return (*holder)["name"].get<std::string>();
}

std::vector<std::string> pieces_of(const std::string& text, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); i += n) out.push_back(text.substr(i, n));
  return out;
}

ojson anthropic_tool_usage() {
  return {{"input_tokens", 10}, {"output_tokens", 20}, {"cache_read_input_tokens", 4}, {"cache_creation_input_tokens", 2}};
}

void openai_tool_answer(const Call& c, const std::string& name) {
  ojson call = {{"id", "call_mock1"}, {"type", "function"}, {"function", {{"name", name}, {"arguments", kToolArgs}}}};
  ojson choice = {{"index", 0},
                  {"message", {{"role", "assistant"}, {"content", kToolText}, {"tool_calls", ojson::array({call})}}},
                  {"finish_reason", "tool_calls"}};
  send_json(c.res, 200, {{"id", "chatcmpl-mock"}, {"object", "chat.completion"}, {"created", kCreated}, {"model", c.model},
                         {"choices", ojson::array({choice})},
                         {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 20}, {"total_tokens", 30},
                                    {"prompt_tokens_details", {{"cached_tokens", 4}}}}}});
}

std::vector<std::string> openai_tool_events(const std::string& model, const std::string& name, bool include_usage) {
  auto chunk = [&](ojson delta, ojson finish = nullptr) {
    return sse_data({{"id", "chatcmpl-mock"}, {"object", "chat.completion.chunk"}, {"created", kCreated}, {"model", model},
                     {"choices", ojson::array({{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish}}})}});
  };
  std::vector<std::string> events{chunk({{"role", "assistant"}, {"content", ""}})};
  for (const auto& p : pieces_of(kToolText, 5)) events.push_back(chunk({{"content", p}}));
  events.push_back(chunk({{"tool_calls", ojson::array({{{"index", 0}, {"id", "call_mock1"}, {"type", "function"},
                                                        {"function", {{"name", name}, {"arguments", ""}}}}})}}));
  for (const auto& p : pieces_of(kToolArgs, 7))
    events.push_back(chunk({{"tool_calls", ojson::array({{{"index", 0}, {"function", {{"arguments", p}}}}})}}));
  events.push_back(chunk(ojson::object(), "tool_calls"));
  if (include_usage)
    events.push_back(sse_data({{"id", "chatcmpl-mock"}, {"object", "chat.completion.chunk"}, {"created", kCreated},
                               {"model", model}, {"choices", ojson::array()},
                               {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 20}, {"total_tokens", 30},
                                          {"prompt_tokens_details", {{"cached_tokens", 4}}}}}}));
  events.push_back("data: [DONE]\n\n");
  return events;
}

void anthropic_tool_answer(const Call& c, const std::string& name) {
  ojson content = ojson::array({{{"type", "text"}, {"text", kToolText}},
                                {{"type", "tool_use"}, {"id", "toolu_mock1"}, {"name", name}, {"input", ojson::parse(kToolArgs)}}});
  send_json(c.res, 200, {{"id", "msg_mock"}, {"type", "message"}, {"role", "assistant"}, {"model", c.model},
                         {"content", content}, {"stop_reason", "tool_use"}, {"stop_sequence", nullptr},
                         {"usage", anthropic_tool_usage()}});
}

std::vector<std::string> anthropic_tool_events(const std::string& model, const std::string& name) {
  ojson usage = anthropic_tool_usage();
  usage["output_tokens"] = 1;
  ojson message = {{"id", "msg_mock"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                   {"content", ojson::array()}, {"stop_reason", nullptr}, {"stop_sequence", nullptr}, {"usage", usage}};
  std::vector<std::string> events{sse_event("message_start", {{"type", "message_start"}, {"message", message}})};
  events.push_back(sse_event("content_block_start", {{"type", "content_block_start"}, {"index", 0},
                                                     {"content_block", {{"type", "text"}, {"text", ""}}}}));
  for (const auto& p : pieces_of(kToolText, 5))
    events.push_back(sse_event("content_block_delta", {{"type", "content_block_delta"}, {"index", 0},
                                                       {"delta", {{"type", "text_delta"}, {"text", p}}}}));
  events.push_back(sse_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
  events.push_back(sse_event("content_block_start",
                             {{"type", "content_block_start"}, {"index", 1},
                              {"content_block", {{"type", "tool_use"}, {"id", "toolu_mock1"}, {"name", name}, {"input", ojson::object()}}}}));
  for (const auto& p : pieces_of(kToolArgs, 7))
    events.push_back(sse_event("content_block_delta", {{"type", "content_block_delta"}, {"index", 1},
                                                       {"delta", {{"type", "input_json_delta"}, {"partial_json", p}}}}));
  events.push_back(sse_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 1}}));
  events.push_back(sse_event("message_delta", {{"type", "message_delta"}, {"delta", {{"stop_reason", "tool_use"}, {"stop_sequence", nullptr}}},
                                               {"usage", {{"output_tokens", 20}}}}));
  events.push_back(sse_event("message_stop", {{"type", "message_stop"}}));
  return events;
}

ojson openai_usage() { return {{"prompt_tokens", 10}, {"completion_tokens", 20}, {"total_tokens", 30}}; }

// ---- The Responses API: stored responses by id, streams of typed events. "tool…" models call the
// first function tool offered; text echoes the input's last text ("echo…"/"tool…") or says kReply.
class ResponseStore {
 public:
  std::string put(ojson response, ojson input_items) {
    std::lock_guard lock(mu_);
    std::string id = "resp_mock" + std::to_string(++next_);
    response["id"] = id;
    responses_[id] = {std::move(response), std::move(input_items)};
    return id;
  }
  std::optional<std::pair<ojson, ojson>> get(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = responses_.find(id);
    if (it == responses_.end()) return std::nullopt;
    return it->second;
  }
  bool erase(const std::string& id) { std::lock_guard lock(mu_); return responses_.erase(id) == 1; }
  std::string next_id() { std::lock_guard lock(mu_); return "resp_mock" + std::to_string(next_ + 1); }

 private:
  std::mutex mu_;
  int next_ = 0;
  std::map<std::string, std::pair<ojson, ojson>> responses_;
};

std::string response_input_text(const json& body) {
  auto in = body.find("input");
  if (in == body.end()) return "";
  if (in->is_string()) return in->get<std::string>();
  if (!in->is_array() || in->empty() || !in->back().is_object()) return "";
  const auto& last = in->back();
  auto c = last.find("content");
  if (c == last.end()) return "";
  if (c->is_string()) return c->get<std::string>();
  std::string text;
  if (c->is_array())
    for (const auto& part : *c)
      if (part.is_object() && part.contains("text") && part["text"].is_string()) text += part["text"].get<std::string>();
  return text;
}

std::optional<std::string> response_tool(const Call& c) {
  if (!c.model.starts_with("tool")) return std::nullopt;
  auto tools = c.body.find("tools");
  if (tools == c.body.end() || !tools->is_array() || tools->empty() || !(*tools)[0].is_object()) return std::nullopt;
  const auto& t = (*tools)[0];
  if (!t.contains("name") || !t["name"].is_string()) return std::nullopt;
  return t["name"].get<std::string>();
}

ojson response_usage() {
  return {{"input_tokens", 12}, {"input_tokens_details", {{"cached_tokens", 3}}}, {"output_tokens", 7},
          {"output_tokens_details", {{"reasoning_tokens", 2}}}, {"total_tokens", 19}};
}

ojson response_object(const Call& c, const std::string& id, const std::string& status, ojson output, bool with_usage) {
  return {{"id", id}, {"object", "response"}, {"created_at", kCreated}, {"status", status}, {"model", c.model},
          {"output", std::move(output)}, {"usage", with_usage ? response_usage() : ojson(nullptr)},
          {"store", !c.body.contains("store") || c.body["store"] != false}};
}

void serve_responses(Recorder& rec, ResponseStore& store, const Call& c) {
  std::string text = c.model.starts_with("echo") || c.model.starts_with("tool") ? response_input_text(c.body) : kReply;
  auto tool = response_tool(c);
  if (tool) text = kToolText;
  ojson message = {{"type", "message"}, {"id", "msg_mock1"}, {"status", "completed"}, {"role", "assistant"},
                   {"content", ojson::array({{{"type", "output_text"}, {"text", text}, {"annotations", ojson::array()}}})}};
  ojson call = {{"type", "function_call"}, {"id", "fc_mock1"}, {"call_id", "call_mock1"}, {"name", tool.value_or("")},
                {"arguments", kToolArgs}, {"status", "completed"}};
  ojson output = ojson::array({message});
  if (tool) output.push_back(call);
  ojson input = c.body.contains("input") ? ojson::parse(c.body["input"].dump()) : ojson();
  ojson items = input.is_array() ? input : ojson::array({{{"type", "message"}, {"role", "user"},
                                                           {"content", ojson::array({{{"type", "input_text"}, {"text", input.is_string() ? input : ojson("")}}})}}});
  if (!flag(c.body, "stream")) {
    auto id = store.put(response_object(c, "", "completed", output, true), items);
    return send_json(c.res, 200, store.get(id)->first);
  }
  std::string id = store.put(response_object(c, "", "completed", output, true), items);
  int seq = 0;
  auto ev = [&](const char* type, ojson data) {
    data["type"] = type;
    data["sequence_number"] = seq++;
    return sse_event(type, data);
  };
  std::vector<std::string> events;
  events.push_back(ev("response.created", {{"response", response_object(c, id, "in_progress", ojson::array(), false)}}));
  events.push_back(ev("response.in_progress", {{"response", response_object(c, id, "in_progress", ojson::array(), false)}}));
  ojson open_msg = message;
  open_msg["status"] = "in_progress";
  open_msg["content"] = ojson::array();
  events.push_back(ev("response.output_item.added", {{"output_index", 0}, {"item", open_msg}}));
  events.push_back(ev("response.content_part.added", {{"item_id", "msg_mock1"}, {"output_index", 0}, {"content_index", 0},
                                                      {"part", {{"type", "output_text"}, {"text", ""}, {"annotations", ojson::array()}}}}));
  for (const auto& p : pieces_of(text, 5))
    events.push_back(ev("response.output_text.delta", {{"item_id", "msg_mock1"}, {"output_index", 0}, {"content_index", 0}, {"delta", p}}));
  events.push_back(ev("response.output_text.done", {{"item_id", "msg_mock1"}, {"output_index", 0}, {"content_index", 0}, {"text", text}}));
  events.push_back(ev("response.content_part.done", {{"item_id", "msg_mock1"}, {"output_index", 0}, {"content_index", 0},
                                                     {"part", message["content"][0]}}));
  events.push_back(ev("response.output_item.done", {{"output_index", 0}, {"item", message}}));
  if (tool) {
    ojson open_call = call;
    open_call["arguments"] = "";
    open_call["status"] = "in_progress";
    events.push_back(ev("response.output_item.added", {{"output_index", 1}, {"item", open_call}}));
    for (const auto& p : pieces_of(kToolArgs, 7))
      events.push_back(ev("response.function_call_arguments.delta", {{"item_id", "fc_mock1"}, {"output_index", 1}, {"delta", p}}));
    events.push_back(ev("response.function_call_arguments.done", {{"item_id", "fc_mock1"}, {"output_index", 1}, {"arguments", kToolArgs}}));
    events.push_back(ev("response.output_item.done", {{"output_index", 1}, {"item", call}}));
  }
  events.push_back(ev("response.completed", {{"response", response_object(c, id, "completed", output, true)}}));
  start_stream(rec, c, std::move(events));
}

void install_responses_routes(httplib::Server& server, Recorder& rec, ResponseStore& store) {
  server.Post("/v1/responses", [&rec, &store](const Request& req, Response& res) {
    serve_vendor(rec, req, res, "x-request-id", [&rec, &store](const Call& c) { serve_responses(rec, store, c); });
  });
  server.Post("/v1/responses/input_tokens", [&rec](const Request& req, Response& res) {
    serve_vendor(rec, req, res, "x-request-id", [](const Call& c) {
      send_json(c.res, 200, {{"object", "response.input_tokens"}, {"input_tokens", 5 + static_cast<int>(response_input_text(c.body).size())}});
    });
  });
  auto by_id = [&rec, &store](const Request& req, Response& res, const std::function<void(const std::string&, std::pair<ojson, ojson>&)>& f) {
    rec.record(req);
    res.set_header("x-request-id", "mock-req-1");
    std::string id = req.matches[1];
    auto found = store.get(id);
    if (!found) return send_error(res, 404, "No response found with id");
    f(id, *found);
  };
  server.Get(R"(/v1/responses/([A-Za-z0-9_-]+))", [by_id](const Request& req, Response& res) {
    by_id(req, res, [&res](const std::string&, std::pair<ojson, ojson>& r) { send_json(res, 200, r.first); });
  });
  server.Delete(R"(/v1/responses/([A-Za-z0-9_-]+))", [by_id, &store](const Request& req, Response& res) {
    by_id(req, res, [&res, &store](const std::string& id, std::pair<ojson, ojson>&) {
      store.erase(id);
      send_json(res, 200, {{"id", id}, {"object", "response"}, {"deleted", true}});
    });
  });
  server.Post(R"(/v1/responses/([A-Za-z0-9_-]+)/cancel)", [by_id](const Request& req, Response& res) {
    by_id(req, res, [&res](const std::string&, std::pair<ojson, ojson>& r) {
      r.first["status"] = "cancelled";
      send_json(res, 200, r.first);
    });
  });
  server.Get(R"(/v1/responses/([A-Za-z0-9_-]+)/input_items)", [by_id](const Request& req, Response& res) {
    by_id(req, res, [&res](const std::string&, std::pair<ojson, ojson>& r) {
      send_json(res, 200, {{"object", "list"}, {"data", r.second}, {"has_more", false}});
    });
  });
}

void install_vendor_routes(httplib::Server& server, Recorder& rec) {
  auto route = [&](const char* path, const char* id_header, VendorReply reply) {
    server.Post(path, [&rec, id_header, reply](const Request& req, Response& res) {
      serve_vendor(rec, req, res, id_header, reply);
    });
  };
  route("/v1/chat/completions", "x-request-id", [&rec](const Call& c) {
    auto options = c.body.find("stream_options");
    bool usage = options != c.body.end() && options->is_object() && flag(*options, "include_usage");
    if (auto tool = tool_to_call(c, false)) {
      if (flag(c.body, "stream")) return start_stream(rec, c, openai_tool_events(c.model, *tool, usage));
      return openai_tool_answer(c, *tool);
    }
    if (flag(c.body, "stream")) {
      if (c.behaviour.burst) {  // 19 deltas of 200 bytes: 21 events, about 5.4 KB, as bench-peers' mockd sends
        std::string words;
        for (int i = 0; i < 40; ++i) words += "word ";
        return start_stream(rec, c, openai_events_from(c.model, usage, std::vector<std::string>(19, words)));
      }
      return start_stream(rec, c, openai_events(c.model, usage, echo_text(c)));
    }
    ojson choice = {{"index", 0}, {"message", {{"role", "assistant"}, {"content", echo_text(c).value_or(kReply)}}},
                    {"finish_reason", "stop"}};
    send_json(c.res, 200, {{"id", "chatcmpl-mock"}, {"object", "chat.completion"}, {"created", kCreated},
                           {"model", c.model}, {"choices", ojson::array({choice})}, {"usage", openai_usage()}});
  });
  route("/v1/completions", "x-request-id", [](const Call& c) {
    ojson choice = {{"index", 0}, {"text", kReply}, {"finish_reason", "stop"}};
    send_json(c.res, 200, {{"id", "cmpl-mock"}, {"object", "text_completion"}, {"created", kCreated},
                           {"model", c.model}, {"choices", ojson::array({choice})}, {"usage", openai_usage()}});
  });
  route("/v1/embeddings", "x-request-id", [](const Call& c) {
    auto format = c.body.find("encoding_format");
    ojson item = {{"object", "embedding"}, {"index", 0},
                  {"embedding", embedding_vector(format != c.body.end() && *format == "base64")}};
    send_json(c.res, 200, {{"object", "list"}, {"data", ojson::array({item})}, {"model", c.model},
                           {"usage", {{"prompt_tokens", 5}, {"total_tokens", 5}}}});
  });
  route("/v1/messages", "request-id", [&rec](const Call& c) {
    if (auto tool = tool_to_call(c, true)) {
      if (flag(c.body, "stream")) return start_stream(rec, c, anthropic_tool_events(c.model, *tool));
      return anthropic_tool_answer(c, *tool);
    }
    if (flag(c.body, "stream")) return start_stream(rec, c, anthropic_events(c.model, echo_text(c)));
    ojson text = {{"type", "text"}, {"text", echo_text(c).value_or(kReply)}};
    send_json(c.res, 200, {{"id", "msg_mock"}, {"type", "message"}, {"role", "assistant"}, {"model", c.model},
                           {"content", ojson::array({text})}, {"stop_reason", "end_turn"},
                           {"usage", {{"input_tokens", 10}, {"output_tokens", 20}}}});
  });
  // A made-up count a test can predict: 10 per message plus 1, from the body the vendor received.
  route("/v1/messages/count_tokens", "request-id", [](const Call& c) {
    auto msgs = c.body.find("messages");
    std::int64_t n = msgs != c.body.end() && msgs->is_array() ? static_cast<std::int64_t>(msgs->size()) : 0;
    send_json(c.res, 200, {{"input_tokens", 10 * n + 1}});
  });
  server.Get("/v1/models", [&rec](const Request& req, Response& res) {
    rec.record(req);
    res.set_header("x-request-id", "mock-req-1");
    ojson model = {{"id", "mock-model"}, {"object", "model"}, {"owned_by", "mock"}};
    send_json(res, 200, {{"object", "list"}, {"data", ojson::array({model})}});
  });
}

void install_control_routes(httplib::Server& server, Recorder& rec) {
  server.Get("/__mock/requests", [&rec](const Request&, Response& res) { send_json(res, 200, rec.requests()); });
  server.Get("/__mock/stats", [&rec](const Request&, Response& res) { send_json(res, 200, rec.stats()); });
  server.Post("/__mock/reset", [&rec](const Request&, Response& res) {
    rec.reset();
    send_json(res, 200, ojson::object());
  });
  // Registered last, as httplib tries routes in order: this sees only /v1 paths no route took, and
  // records them too, since a wrong path is exactly what a failing test wants to see.
  static ResponseStore responses;
  install_responses_routes(server, rec, responses);
  auto unknown = [&rec](const Request& req, Response& res) {
    rec.record(req);
    send_error(res, 404, "unknown path");
  };
  server.Get("/v1/.*", unknown).Post("/v1/.*", unknown).Put("/v1/.*", unknown);
  server.Patch("/v1/.*", unknown).Delete("/v1/.*", unknown);
}

}  // namespace

int main(int argc, char** argv) {
  std::string cert, key;
  std::size_t threads = 64;  // hung requests each hold one; the benchmark asks for thousands
  bool args_ok = true;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--tls-cert" && i + 1 < argc) cert = argv[++i];
    else if (arg == "--tls-key" && i + 1 < argc) key = argv[++i];
    else if (arg == "--threads" && i + 1 < argc) threads = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    else args_ok = false;
  }
  if (!args_ok || cert.empty() != key.empty()) {
    std::fprintf(stderr, "usage: mock_upstream [--tls-cert FILE --tls-key FILE] [--threads N]\n");
    return 2;
  }
  airlock::cli::init_process();  // mbedTLS needs PSA crypto started before the first handshake
  // Blocked before any thread exists, so pool workers inherit the mask and only the waiter below
  // takes the signal: Server::stop() is not async-signal-safe and must not run in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::unique_ptr<httplib::Server> server;
  if (cert.empty()) server = std::make_unique<httplib::Server>();
  else server = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
  if (!server->is_valid()) {
    std::fprintf(stderr, "mock_upstream: cannot load TLS certificate or key\n");
    return 1;
  }
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server->set_tcp_nodelay(true);
  // Like a vendor behind a load balancer: connections are reused for as long as the client keeps them.
  server->set_keep_alive_max_count(1000000);
  server->set_keep_alive_timeout(30);
  Recorder rec;
  install_vendor_routes(*server, rec);
  install_control_routes(*server, rec);
  int port = server->bind_to_any_port("127.0.0.1");
  if (port < 0) {
    std::fprintf(stderr, "mock_upstream: cannot bind 127.0.0.1\n");
    return 1;
  }
  std::printf("{\"port\":%d}\n", port);
  std::fflush(stdout);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    g_stopping = true;
    server->stop();
  });
  if (!server->listen_after_bind() && !g_stopping) std::_Exit(1);  // the waiter would never return
  waiter.join();
  return 0;
}
