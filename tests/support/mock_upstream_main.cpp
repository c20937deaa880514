// Fake LLM vendor for the integration tests: OpenAI- and Anthropic-shaped endpoints on an OS-chosen
// 127.0.0.1 port, plain HTTP or HTTPS. It records every /v1/* request so tests can see what Airlock
// really sent, and the "model" field in the body picks a misbehaviour (errors, delays, hangs, broken
// streams), so a test needs nothing but the request it would send anyway.
//
//   mock_upstream [--tls-cert FILE --tls-key FILE]
// prints {"port":N} once bound, then serves until SIGTERM/SIGINT (exit 0).
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/process_init.h"

namespace {

using json = nlohmann::json;
// Ordered so replies keep the field order of the vendors' own documentation.
using ojson = nlohmann::ordered_json;

constexpr std::int64_t kStepMs = 10;  // granularity at which waits notice a departed client
constexpr std::int64_t kHangMs = 120'000;
constexpr std::int64_t kStreamSlowGapMs = 300;
constexpr std::size_t kBreakAfterEvents = 2;
constexpr std::size_t kNoBreak = std::numeric_limits<std::size_t>::max();
constexpr std::int64_t kCreated = 1'700'000'000;
constexpr const char* kReply = "Hello from mock.";

// Set when SIGTERM/SIGINT arrives so long waits end and the thread pool can join its workers.
std::atomic<bool> g_stopping{false};

class Recorder {
 public:
  void record(const httplib::Request& req) {
    ojson headers = ojson::object();
    for (const auto& [name, value] : req.headers) {
      std::string key = name;
      std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
      auto it = headers.find(key);
      if (it == headers.end()) {
        headers[key] = value;
      } else {
        // httplib's unordered_multimap (libstdc++) yields repeats newest first; prepending restores
        // the order they arrived in, which is what a proxy must preserve.
        *it = value + ", " + it->get<std::string>();
      }
    }
    std::lock_guard lock(mu_);
    requests_.push_back(ojson{{"method", req.method},
                              {"path", req.path},
                              {"headers", std::move(headers)},
                              {"body", req.body},
                              {"remote_port", req.remote_port}});
    ports_.insert(req.remote_port);
  }
  ojson requests() const {
    std::lock_guard lock(mu_);
    return ojson{{"requests", requests_}};
  }
  ojson stats() const {
    std::lock_guard lock(mu_);
    // Distinct client ports stand in for distinct connections: keep-alive reuses one port.
    return ojson{{"requests", requests_.size()}, {"connections", ports_.size()}, {"cancelled", cancelled_}};
  }
  void reset() {
    std::lock_guard lock(mu_);
    requests_.clear();
    ports_.clear();
    cancelled_ = 0;
  }
  void count_cancelled() {
    std::lock_guard lock(mu_);
    ++cancelled_;
  }

 private:
  mutable std::mutex mu_;
  ojson::array_t requests_;
  std::set<int> ports_;
  std::int64_t cancelled_ = 0;
};

// What the model name asks the mock to do; all zero means "answer normally, at once".
struct Behaviour {
  int fail_status = 0;
  std::int64_t delay_ms = 0;  // before any answer
  std::int64_t gap_ms = 0;    // between stream events
  std::size_t break_after = kNoBreak;
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
  if (model == "hang") b.delay_ms = kHangMs;
  if (auto ms = suffix_ms(model, "slow-")) b.delay_ms = *ms;
  if (model == "stream-slow") b.gap_ms = kStreamSlowGapMs;
  if (auto ms = suffix_ms(model, "stream-delay-")) b.gap_ms = *ms;
  if (model == "stream-break") b.break_after = kBreakAfterEvents;
  return b;
}

// Sleeps in small steps so a departed client or a shutdown ends the wait within kStepMs.
// Returns false when the wait was cut short.
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

void send_json(httplib::Response& res, int status, const ojson& body) {
  res.status = status;
  // Bodies echo client bytes (the request log), which need not be valid UTF-8.
  res.set_content(body.dump(-1, ' ', false, ojson::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status) {
  if (status == 429) res.set_header("retry-after", "1");
  send_json(res, status, ojson{{"error", {{"message", "mock failure"}, {"type", "mock_error"}, {"code", "mock"}}}});
}

std::string base64(const std::vector<std::uint8_t>& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t n = std::uint32_t{in[i]} << 16;
    if (i + 1 < in.size()) n |= std::uint32_t{in[i + 1]} << 8;
    if (i + 2 < in.size()) n |= in[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// OpenAI's base64 embeddings are the raw little-endian float32 array, whatever the host order.
ojson embedding_vector(bool as_base64) {
  const float values[] = {0.1f, 0.2f, 0.3f};
  if (!as_base64) return ojson::array({0.1, 0.2, 0.3});
  std::vector<std::uint8_t> bytes;
  for (float v : values) {
    auto bits = std::bit_cast<std::uint32_t>(v);
    for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<std::uint8_t>(bits >> (8 * k)));
  }
  return base64(bytes);
}

std::string sse_data(const ojson& j) { return "data: " + j.dump() + "\n\n"; }

std::string sse_event(const char* name, const ojson& j) { return std::string("event: ") + name + "\n" + sse_data(j); }

std::vector<std::string> openai_events(const std::string& model, bool include_usage) {
  auto chunk = [&](ojson choices) {
    return ojson{{"id", "chatcmpl-mock"}, {"object", "chat.completion.chunk"}, {"created", kCreated},
                 {"model", model},        {"choices", std::move(choices)}};
  };
  std::vector<std::string> events;
  for (int i = 0; i < 5; ++i) {
    ojson delta = i == 0 ? ojson{{"role", "assistant"}, {"content", ""}}
                         : ojson{{"content", "tok" + std::to_string(i) + " "}};
    ojson finish = i == 4 ? ojson("stop") : ojson(nullptr);
    events.push_back(sse_data(chunk(ojson::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}}))));
  }
  if (include_usage) {
    ojson last = chunk(ojson::array());
    last["usage"] = {{"prompt_tokens", 10}, {"completion_tokens", 5}, {"total_tokens", 15}};
    events.push_back(sse_data(last));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::vector<std::string> anthropic_events(const std::string& model) {
  ojson message = {{"id", "msg_mock"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                   {"content", ojson::array()}, {"usage", {{"input_tokens", 10}, {"output_tokens", 1}}}};
  std::vector<std::string> events;
  events.push_back(sse_event("message_start", {{"type", "message_start"}, {"message", message}}));
  events.push_back(sse_event("content_block_start", {{"type", "content_block_start"}, {"index", 0},
                                                     {"content_block", {{"type", "text"}, {"text", ""}}}}));
  for (int i = 1; i <= 3; ++i) {
    ojson delta = {{"type", "text_delta"}, {"text", "tok" + std::to_string(i) + " "}};
    events.push_back(sse_event("content_block_delta", {{"type", "content_block_delta"}, {"index", 0}, {"delta", delta}}));
  }
  events.push_back(sse_event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
  events.push_back(sse_event("message_delta", {{"type", "message_delta"},
                                               {"delta", {{"stop_reason", "end_turn"}}},
                                               {"usage", {{"output_tokens", 3}}}}));
  events.push_back(sse_event("message_stop", {{"type", "message_stop"}}));
  return events;
}

struct StreamState {
  std::vector<std::string> events;
  std::size_t next = 0;
  bool broke_on_purpose = false;
};

// One event per provider call (and per sink.write), so each reaches the wire as its own chunk.
void start_stream(Recorder& rec, httplib::Response& res, std::vector<std::string> events, const Behaviour& b) {
  auto state = std::make_shared<StreamState>();
  state->events = std::move(events);
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [state, b](std::size_t, httplib::DataSink& sink) {
        if (state->next == b.break_after) {
          // Returning false without done() drops the connection with no terminating chunk.
          state->broke_on_purpose = true;
          return false;
        }
        if (state->next > 0 && !pause_while(b.gap_ms, [&sink] { return sink.is_writable(); })) return false;
        const std::string& event = state->events[state->next++];
        if (!sink.write(event.data(), event.size())) return false;
        if (state->next == state->events.size()) sink.done();
        return true;
      },
      [&rec, state](bool success) {
        if (!success && !state->broke_on_purpose && !g_stopping) rec.count_cancelled();
      });
}

using VendorReply = std::function<void(const json& body, const std::string& model, const Behaviour& b)>;

// Shared front half of every vendor POST: record, parse, then apply the model's delay or failure.
void serve_vendor(Recorder& rec, const httplib::Request& req, httplib::Response& res, const char* id_header,
                  const VendorReply& reply) {
  rec.record(req);
  res.set_header(id_header, "mock-req-1");
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return send_error(res, 400);
  auto it = body.find("model");
  std::string model = it != body.end() && it->is_string() ? it->get<std::string>() : "";
  Behaviour b = behaviour_for(model);
  if (!pause_while(b.delay_ms, [&req] { return !req.is_connection_closed(); })) {
    if (!g_stopping) rec.count_cancelled();
    return;
  }
  if (b.fail_status != 0) return send_error(res, b.fail_status);
  reply(body, model, b);
}

ojson usage_openai() { return {{"prompt_tokens", 10}, {"completion_tokens", 20}, {"total_tokens", 30}}; }

void install_openai_routes(httplib::Server& server, Recorder& rec) {
  server.Post("/v1/chat/completions", [&rec](const httplib::Request& req, httplib::Response& res) {
    serve_vendor(rec, req, res, "x-request-id", [&](const json& body, const std::string& model, const Behaviour& b) {
      if (flag(body, "stream")) {
        auto options = body.find("stream_options");
        bool usage = options != body.end() && options->is_object() && flag(*options, "include_usage");
        return start_stream(rec, res, openai_events(model, usage), b);
      }
      ojson message = {{"role", "assistant"}, {"content", kReply}};
      send_json(res, 200, {{"id", "chatcmpl-mock"}, {"object", "chat.completion"}, {"created", kCreated},
                           {"model", model},
                           {"choices", ojson::array({{{"index", 0}, {"message", message}, {"finish_reason", "stop"}}})},
                           {"usage", usage_openai()}});
    });
  });
  server.Post("/v1/completions", [&rec](const httplib::Request& req, httplib::Response& res) {
    serve_vendor(rec, req, res, "x-request-id", [&](const json&, const std::string& model, const Behaviour&) {
      send_json(res, 200, {{"id", "cmpl-mock"}, {"object", "text_completion"}, {"created", kCreated},
                           {"model", model},
                           {"choices", ojson::array({{{"index", 0}, {"text", kReply}, {"finish_reason", "stop"}}})},
                           {"usage", usage_openai()}});
    });
  });
  server.Post("/v1/embeddings", [&rec](const httplib::Request& req, httplib::Response& res) {
    serve_vendor(rec, req, res, "x-request-id", [&](const json& body, const std::string& model, const Behaviour&) {
      auto format = body.find("encoding_format");
      bool as_base64 = format != body.end() && *format == "base64";
      ojson item = {{"object", "embedding"}, {"index", 0}, {"embedding", embedding_vector(as_base64)}};
      send_json(res, 200, {{"object", "list"}, {"data", ojson::array({item})}, {"model", model},
                           {"usage", {{"prompt_tokens", 5}, {"total_tokens", 5}}}});
    });
  });
  server.Get("/v1/models", [&rec](const httplib::Request& req, httplib::Response& res) {
    rec.record(req);
    res.set_header("x-request-id", "mock-req-1");
    ojson model = {{"id", "mock-model"}, {"object", "model"}, {"owned_by", "mock"}};
    send_json(res, 200, {{"object", "list"}, {"data", ojson::array({model})}});
  });
}

void install_anthropic_routes(httplib::Server& server, Recorder& rec) {
  server.Post("/v1/messages", [&rec](const httplib::Request& req, httplib::Response& res) {
    serve_vendor(rec, req, res, "request-id", [&](const json& body, const std::string& model, const Behaviour& b) {
      if (flag(body, "stream")) return start_stream(rec, res, anthropic_events(model), b);
      ojson text = {{"type", "text"}, {"text", kReply}};
      send_json(res, 200, {{"id", "msg_mock"}, {"type", "message"}, {"role", "assistant"}, {"model", model},
                           {"content", ojson::array({text})}, {"stop_reason", "end_turn"},
                           {"usage", {{"input_tokens", 10}, {"output_tokens", 20}}}});
    });
  });
}

void install_control_routes(httplib::Server& server, Recorder& rec) {
  server.Get("/__mock/requests", [&rec](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, rec.requests());
  });
  server.Get("/__mock/stats", [&rec](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, rec.stats());
  });
  server.Post("/__mock/reset", [&rec](const httplib::Request&, httplib::Response& res) {
    rec.reset();
    send_json(res, 200, ojson::object());
  });
  // Registered last: httplib tries routes in order, so this only sees /v1 paths nobody else took,
  // and records them too, since a wrong path is exactly what a test wants to see.
  auto unknown = [&rec](const httplib::Request& req, httplib::Response& res) {
    rec.record(req);
    send_json(res, 404, ojson{{"error", {{"message", "unknown path"}, {"type", "mock_error"}, {"code", "mock"}}}});
  };
  server.Get("/v1/.*", unknown);
  server.Post("/v1/.*", unknown);
  server.Put("/v1/.*", unknown);
  server.Patch("/v1/.*", unknown);
  server.Delete("/v1/.*", unknown);
}

std::unique_ptr<httplib::Server> make_server(const std::string& cert, const std::string& key) {
  if (cert.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
}

int usage() {
  std::fprintf(stderr, "usage: mock_upstream [--tls-cert FILE --tls-key FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cert, key;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--tls-cert" && i + 1 < argc) {
      cert = argv[++i];
    } else if (arg == "--tls-key" && i + 1 < argc) {
      key = argv[++i];
    } else {
      return usage();
    }
  }
  if (cert.empty() != key.empty()) return usage();
  airlock::cli::init_process();  // mbedTLS needs PSA crypto started before the first handshake
  // Blocked before any thread exists, so pool workers inherit the mask and only the waiter below
  // takes the signal: Server::stop() is not async-signal-safe and must not run in a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = make_server(cert, key);
  if (!server->is_valid()) {
    std::fprintf(stderr, "mock_upstream: cannot load TLS certificate or key\n");
    return 1;
  }
  // Hanging requests each hold a worker; 64 leaves room for the rest of a test.
  server->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server->set_tcp_nodelay(true);
  Recorder rec;
  install_openai_routes(*server, rec);
  install_anthropic_routes(*server, rec);
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
  server->listen_after_bind();
  bool signalled = g_stopping;
  if (!signalled) kill(getpid(), SIGTERM);  // listening failed by itself; wake the waiter to join it
  waiter.join();
  return signalled ? 0 : 1;
}
