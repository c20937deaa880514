// Relays an upstream SSE stream event by event as it arrives: nothing is buffered beyond the event
// being read. Usage is taken from the stream (OpenAI's final usage chunk, which we requested if the
// client did not, and then drop; Anthropic's message_start / message_delta). A client that goes
// away ends the upstream request (its connection is closed); an upstream that fails mid-stream
// ends the client's stream with a well-formed error event.
#include <nlohmann/json.hpp>

#include "gateway/exchange.h"
#include "gateway/sse.h"

namespace airlock::gateway {
namespace {

std::int64_t int_at(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() ? std::max<std::int64_t>(0, it->get<std::int64_t>()) : 0;
}

std::string error_event(Dialect d, const char* message) {
  if (d == Dialect::kAnthropic)
    return std::string("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"") + message +
           "\"}}\n\n";
  return std::string("data: {\"error\":{\"message\":\"") + message +
         "\",\"type\":\"api_error\",\"param\":null,\"code\":\"upstream_stream_error\"}}\n\n";
}

struct Relay {
  Exchange& ex;
  Usage usage;
  bool done = false;  // the upstream's own end marker was seen
  bool client_gone = false;
  std::int64_t bytes_out = 0;

  // Decides what to do with one event; returns false when the client is gone.
  bool on_event(const SseEvent& ev, const http::Response::Writer& write) {
    bool forward = true;
    if (ex.ep.dialect == Dialect::kOpenAI) {
      if (ev.data == "[DONE]") {
        done = true;
      } else if (ev.data.find("\"usage\"") != std::string::npos) {
        auto j = nlohmann::json::parse(ev.data, nullptr, false);
        if (j.is_object() && j.contains("usage") && j["usage"].is_object()) {
          usage.prompt_tokens = int_at(j["usage"], "prompt_tokens");
          usage.completion_tokens = int_at(j["usage"], "completion_tokens");
          usage.known = true;
          // The usage-only chunk we asked for: the client did not, so it does not see it.
          auto ch = j.find("choices");
          if (ex.strip_usage_chunk && ch != j.end() && ch->is_array() && ch->empty()) forward = false;
        }
      }
    } else {
      if (ev.event == "message_start" || ev.event == "message_delta") {
        auto j = nlohmann::json::parse(ev.data, nullptr, false);
        const nlohmann::json* u = nullptr;
        if (j.is_object() && ev.event == "message_start" && j.contains("message") && j["message"].is_object() &&
            j["message"].contains("usage"))
          u = &j["message"]["usage"];
        if (j.is_object() && ev.event == "message_delta" && j.contains("usage")) u = &j["usage"];
        if (u && u->is_object()) {
          if (u->contains("input_tokens"))
            usage.prompt_tokens = int_at(*u, "input_tokens") + int_at(*u, "cache_creation_input_tokens") +
                                  int_at(*u, "cache_read_input_tokens");
          if (u->contains("output_tokens")) usage.completion_tokens = int_at(*u, "output_tokens");
          usage.known = true;
        }
      } else if (ev.event == "message_stop") {
        done = true;
      }
    }
    if (!forward) return true;
    if (!ex.record.ttft_us)
      ex.record.ttft_us = std::chrono::duration_cast<std::chrono::microseconds>(ex.gw.deps().clock.steady_now() - ex.start).count();
    bytes_out += static_cast<std::int64_t>(ev.raw.size());
    if (!write(ev.raw)) client_gone = true;
    return !client_gone;
  }
};

}  // namespace

http::Response relay_stream(std::shared_ptr<Exchange> ex, std::unique_ptr<UpstreamStream> upstream) {
  http::Response r;
  r.status = 200;
  r.content_type = "text/event-stream";
  add_ratelimit_headers(r, ex->admission);
  if (ex->ep.dialect == Dialect::kAnthropic) r.set_header("request-id", ex->record.request_id);
  std::shared_ptr<UpstreamStream> up(std::move(upstream));
  r.stream = [ex, up](const http::Response::Writer& write) mutable {
    Relay relay{*ex};
    SseSplitter splitter;
    auto deadline = ex->start + std::chrono::milliseconds(ex->total_timeout_ms);
    char buf[4096];
    std::string error_code;
    auto on_event = [&](const SseEvent& ev) {
      if (!relay.client_gone) relay.on_event(ev, write);
    };
    for (;;) {
      long n = up->read(buf, sizeof buf);
      if (n > 0) {
        if (!splitter.feed(std::string_view(buf, static_cast<std::size_t>(n)), on_event)) {
          error_code = "upstream_stream_error";
          break;
        }
        if (relay.client_gone) {
          error_code = "client_disconnected";
          break;
        }
        if (ex->gw.deps().clock.steady_now() > deadline) {
          error_code = "upstream_timeout";
          break;
        }
        continue;
      }
      splitter.finish(on_event);
      if (n < 0 || !relay.done) error_code = "upstream_stream_error";
      break;
    }
    // Closing the upstream connection now is what cancels the upstream request.
    up.reset();
    if (!error_code.empty() && error_code != "client_disconnected" && !relay.client_gone) {
      auto ev = error_event(ex->ep.dialect, error_code == "upstream_timeout" ? "The upstream took too long." :
                                                                               "The upstream stream ended unexpectedly.");
      (void)write(ev);
    }
    ex->finish(200, relay.usage, error_code, relay.bytes_out);
  };
  return r;
}

}  // namespace airlock::gateway
