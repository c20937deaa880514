#pragma once
// One gateway request from admission to its usage record: what admission produced (Prepared), the
// exchange that settles the budget and records usage (Exchange), and the SSE relay's per-event
// logic. Internal to the gateway.
#include <memory>
#include <nlohmann/json.hpp>

#include "gateway/service.h"
#include "gateway/sse.h"
#include "gateway/stream_guard.h"
#include "gateway/stream_usage.h"
#include "store/catalog_repo.h"
#include "translate/responses.h"
#include "translate/stream.h"

namespace airlock::gateway {

struct Exchange {
  Gateway& gw;
  const Endpoint& ep;
  core::Clock::SteadyTime start;
  store::GatewayKeyRow key;
  Reservation reservation;
  UsageRecord record;
  Admission admission;  // for x-ratelimit-* headers
  bool strip_usage_chunk = false;  // we asked for stream usage; the client did not
  bool include_usage = false;      // the client asked for stream usage (a translated stream adds the chunk)
  bool wants_store = false;        // a Responses API request the vendor is to store
  bool store_response = false;     // …and this attempt's provider stores it: its id is recorded as the key's
  // The guardrail policy in force when the request was admitted, and the key's override: the
  // answer is checked under the same ones.
  std::shared_ptr<const guardrails::Engine> guard;
  guardrails::KeyOverride guard_key;
  // Who asked, for the audit event of a guardrail block (reason set when one happens).
  audit::Denial block_audit;
  bool block_audited = false;
  std::int64_t total_timeout_ms = 600000;

  // Settles the reservation and queues the usage record (once).
  void finish(int status, const Usage& usage, const std::string& error_code, std::int64_t response_bytes);
  // Adds what the guardrails found to the usage record.
  void count(const guardrails::Tally& tally);
  bool finished = false;

  // A request abandoned on any path still settles.
  ~Exchange() {
    if (!finished && reservation.active) finish(200, {}, "client_disconnected", 0);
  }
};

// What admission hands to the upstream phase.
struct Prepared {
  std::shared_ptr<Exchange> ex;
  nlohmann::ordered_json body;
  std::string model_name;
  std::shared_ptr<const Catalog> catalog;
  const store::ModelRow* model = nullptr;
  bool stream = false;
  HeaderList headers;  // client headers that go upstream
  // The request in the other dialect, for targets whose provider speaks it (translate/request.h);
  // unset when no target needs it or it could not be translated (then those targets are skipped).
  std::optional<nlohmann::ordered_json> translated;
  HeaderList translated_headers;
  // The by-id Responses calls: the upstream path (else ep.upstream_path), no body, and the one
  // target that holds the response (a model made for the call, kept alive here).
  std::string path;
  bool no_body = false;
  std::shared_ptr<const store::ModelRow> own_model;
  std::string response_id;  // the id a by-id call is about
  // previous_response_id: only the provider that holds it may take the request.
  std::optional<std::int64_t> only_provider;
};

// The last target's outcome, for the answer when no target answered well.
struct Attempt {
  Failure failure = Failure::kNone;
  int status = 0;
  std::string content_type;
  std::string body;
  std::string retry_after;
  bool translated = false;  // the provider spoke the other dialect: the answer is translated back
};

// Adds x-ratelimit-* headers (OpenAI's names) for the limits the key has.
void add_ratelimit_headers(http::Response& r, const Admission& a);

// Client headers that mean something to the vendor (anthropic-version and -beta, openai-beta);
// everything else (the client's key, cookies, forwarding headers) stays here.
HeaderList forwarded_headers(const http::Request& req, Dialect d);

// The upstream phase for an admitted request (proxy_call.cpp): targets, relay, answer.
void run_upstream(Gateway& gw, Prepared p, const http::Request& req, std::shared_ptr<http::Responder> out);

// The echo a translated Responses answer carries: a fresh id, now, the client's request.
translate::ResponseEcho response_echo(Gateway& gw, const Prepared& p);

// The client's answer once the targets are exhausted or one answered for good (not a 200 stream).
http::Response answer_from(Prepared& p, const http::Request& req, bool any_target, Attempt& last,
                           const std::string& last_error);

// The SSE relay's per-event step: what the event says (stream_usage.h), time to first token, and
// the bytes that go on to the client.
struct Relay {
  using Write = std::function<bool(std::string_view)>;
  explicit Relay(Exchange& e) : ex(e) {
    if (std::string_view(ex.ep.scope) == "responses") {
      reading.responses = true;
      guard.set_responses();
    }
  }
  Exchange& ex;
  StreamUsage reading{ex.ep.dialect, ex.strip_usage_chunk};
  StreamGuard guard{ex.ep.dialect, ex.guard, ex.guard_key};
  std::int64_t bytes_out = 0;
  bool blocked = false;  // a guardrail blocked the answer: the stream ends with a policy error
  // The upstream speaks the other dialect: its events are read in that one and translated.
  void translate_from(Dialect upstream, std::int64_t created);
  // A Responses API request answered by a chat-only provider: chat chunks become Responses events.
  void translate_responses(translate::ResponseEcho echo);
  // Returns what `write` returned (false: the client is gone or behind, or the stream is broken).
  bool on_event(const SseEvent& ev, const Write& write);
  // The stream ends: text the guardrails still hold goes out (masked) before the end.
  void release_held(const Write& write);

 private:
  // One event in the client's dialect: through the guardrails when they are active.
  bool pass(const SseEvent& ev, const Write& write);
  bool pass_text(const std::string& events, const Write& write);
  void note_response_id(const SseEvent& ev);
  std::unique_ptr<translate::ChatToMessagesStream> to_anthropic_;
  std::unique_ptr<translate::MessagesToChatStream> to_openai_;
  std::unique_ptr<translate::ChatToResponsesStream> to_responses_;
};

// A well-formed error event in the dialect, to end a stream that failed.
std::string stream_error_event(Dialect d, const char* message, const char* code = "upstream_stream_error");

}  // namespace airlock::gateway
