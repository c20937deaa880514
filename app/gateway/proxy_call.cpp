// The upstream phase of a gateway request, on the event loop that received it: targets in fallback
// order, each over a pooled keep-alive connection of that loop; a non-stream answer collected
// and passed on; a 200 stream relayed event by event as the bytes arrive, paced by the client
// (a slow reader pauses the upstream socket). A target is tried once; the next one only after a
// failure that says nothing was produced (connect error, timeout, 429, 5xx), after a jittered
// pause. A client that leaves closes the upstream connection, which is what cancels the request.
#include "core/barrier.h"
#include "gateway/exchange.h"

namespace airlock::gateway {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024 * 1024;  // a non-stream answer larger than this is not an LLM reply

class ProxyCall final : public net::ClientSink, public std::enable_shared_from_this<ProxyCall> {
 public:
  ProxyCall(Gateway& gw, Prepared p, const http::Request& req, std::shared_ptr<http::Responder> out)
      : gw_(gw), p_(std::move(p)), out_(std::move(out)), relay_{*p_.ex} {
    err_req_.request_id = req.request_id;
  }

  void start() {
    std::weak_ptr<ProxyCall> weak = weak_from_this();
    out_->set_callbacks([weak] { if (auto s = weak.lock()) s->client_gone(); },
                        [weak] { if (auto s = weak.lock()) s->client_drained(); });
    self_ = shared_from_this();  // alive until the exchange is over, whoever else lets go
    auto total = std::chrono::milliseconds(p_.ex->total_timeout_ms);
    for (const auto& t : p_.model->targets)
      if (auto it = p_.catalog->providers.find(t.provider.value); it != p_.catalog->providers.end()) {
        total = std::chrono::milliseconds(it->second.total_timeout_ms);  // the first target's cap
        break;
      }
    total_timer_ = out_->loop().add_timer(std::chrono::steady_clock::now() + total, [this] {
      total_timer_ = 0;
      guarded("timer", [&] { timed_out(); });
    });
    next_target();
  }

  // net::ClientSink: each behind the barrier below.
  void on_head(const net::http1::ResponseHead& head) override {
    guarded("upstream_phase", [&] { head_arrived(head); });
  }
  bool on_body(std::string_view bytes) override {
    bool more = false;
    guarded("upstream_phase", [&] { more = body_arrived(bytes); });
    return more && !finished_;
  }
  void on_complete() override {
    guarded("upstream_phase", [&] { completed(); });
  }
  void on_error(net::ClientError e) override {
    guarded("upstream_phase", [&] { failed(e); });
  }

 private:
  // The last net for the upstream phase: an unexpected exception ends this exchange with a 500 in
  // the caller's dialect (or an error event when the stream has begun), and nothing else.
  template <class F>
  void guarded(const char* where, F&& f) {
    try {
      f();
      return;
    } catch (const std::exception& e) {
      core::record_internal_error(gw_.log(), where, err_req_.request_id, &e);
    } catch (...) {
      core::record_internal_error(gw_.log(), where, err_req_.request_id, nullptr);
    }
    if (finished_) return;
    try {
      if (relaying_) return end_relay("internal_error");
      drop_conn();
      slot_.reset();
      p_.ex->finish(500, {}, "internal_error", 0);
      answer(dialect_error(p_.ex->ep.dialect, "internal_error", "Airlock failed to handle the request.", err_req_));
    } catch (...) {
      core::record_internal_error(gw_.log(), "upstream_phase", err_req_.request_id, nullptr);
    }
  }

  void head_arrived(const net::http1::ResponseHead& head) {
    last_ = {};
    last_.status = head.status;
    last_.translated = translating_;
    if (const auto* ct = head.header("content-type")) last_.content_type = std::string(*ct);
    if (const auto* ra = head.header("retry-after")) last_.retry_after = std::string(*ra);
    if (p_.stream && head.status == 200) {
      provider_->breaker().record_success();  // also ends a half-open probe
      start_relay();
    }
  }

  bool body_arrived(std::string_view bytes) {
    if (!relaying_) {
      std::size_t cap = last_.status >= 200 && last_.status < 300 ? kMaxBody : kMaxErrorBody;
      if (last_.body.size() + bytes.size() > cap) {
        if (last_.status >= 200 && last_.status < 300) {  // too big to be an answer: treat as broken
          drop_conn();
          return fail_attempt(Failure::kRead), false;
        }
        return true;  // an error body is only for us; the rest is ignored
      }
      last_.body.append(bytes);
      return true;
    }
    behind_ = false;
    // Every complete event this read delivered goes to the client in one write: a fast model's
    // events arrive together, and a write each (a TLS record and a syscall) was most of their cost.
    // Nothing waits for a later read.
    batching_ = true;
    bool fed = splitter_.feed(bytes, [this](const SseEvent& ev) { relay_event(ev); });
    batching_ = false;
    flush_batch();
    if (!fed || relay_.reading.broken) {
      end_relay("upstream_stream_error");
      return false;
    }
    return !behind_;
  }

  void flush_batch() {
    if (batch_.empty()) return;
    if (!out_->write(batch_)) {
      if (out_->gone()) client_left_ = true;
      else behind_ = true;  // queued; the upstream waits until the client has read it
    }
    batch_.clear();  // keeps its capacity for the next read
  }

  void completed() {
    if (pool_) pool_->release(std::move(conn_));
    conn_.reset();
    slot_.reset();
    if (relaying_) {
      batching_ = true;
      splitter_.finish([this](const SseEvent& ev) { relay_event(ev); });
      batching_ = false;
      flush_batch();
      return end_relay(relay_.reading.done && !relay_.reading.broken ? "" : "upstream_stream_error");
    }
    // A 429 is the vendor pacing us, not ill health; 5xx counts.
    if (last_.status >= 500) provider_->breaker().record_failure();
    else provider_->breaker().record_success();
    if (last_.status == 429 || last_.status >= 500) {
      last_error_ = "upstream_" + std::to_string(last_.status);
      return next_target();
    }
    answer(answer_from(p_, err_req_, true, last_, last_error_));
  }

  void failed(net::ClientError e) {
    conn_.reset();
    if (relaying_) return end_relay("upstream_stream_error");
    if (e == net::ClientError::kStale && !stale_retried_) {
      // A kept-alive connection the upstream had closed: nothing was received, so send again on a
      // fresh one. Not the provider's fault.
      stale_retried_ = true;
      return send_on(pool_->fresh());
    }
    if (e == net::ClientError::kConnect && next_address()) return;
    slot_.reset();
    fail_attempt(failure_of(e));
  }

  void next_target() {
    const auto& targets = p_.model->targets;
    while (index_ < targets.size()) {
      const auto& target = targets[index_++];
      const store::ProviderRow* row = nullptr;
      if (auto it = p_.catalog->providers.find(target.provider.value); it != p_.catalog->providers.end()) row = &it->second;
      if (!row || !row->enabled) continue;
      if (p_.only_provider && row->id.value != *p_.only_provider) continue;
      // A provider of the other dialect takes the translated request, if there is one; so does, for
      // the Responses API, an OpenAI-type one that serves only chat.
      bool responses = &p_.ex->ep == &kResponses;
      if (responses && row->type == "anthropic") continue;
      bool other = responses ? !row->serves_responses
                             : (row->type == "anthropic") != (p_.ex->ep.dialect == Dialect::kAnthropic);
      if (other && !p_.translated) continue;
      auto provider = gw_.upstreams().get(*row);
      if (!provider) continue;
      if (!provider->breaker().allow()) {
        last_ = {};
        last_.failure = Failure::kOpen;
        last_error_ = "upstream_circuit_open";
        any_target_ = true;
        continue;
      }
      bool backoff = any_target_;
      any_target_ = true;
      provider_ = std::move(provider);
      target_ = &target;
      translating_ = other;
      if (!backoff) return attempt();
      // Jittered pause before the next target, so a struggling fleet is not hit in lockstep.
      auto jitter = static_cast<int>(gw_.deps().random.bytes(1)[0] % 50);
      backoff_timer_ = out_->loop().add_timer(std::chrono::steady_clock::now() + std::chrono::milliseconds(25 + jitter),
                                              [this] {
                                                backoff_timer_ = 0;
                                                guarded("timer", [&] {
                                                  core::fault_point("timer");
                                                  attempt();
                                                });
                                              });
      return;
    }
    answer(answer_from(p_, err_req_, any_target_, last_, last_error_));
  }

  void attempt() {
    const auto& row = provider_->row();
    slot_ = provider_->take_slot();
    if (!slot_) {
      last_ = {};
      last_.failure = Failure::kBusy;
      last_error_ = "upstream_busy";
      return next_target();
    }
    p_.ex->store_response = p_.ex->wants_store && !translating_;  // a chat-only provider keeps nothing
    auto& sent = translating_ ? *p_.translated : p_.body;
    std::string body;
    if (!p_.no_body) {
      sent["model"] = target_->upstream_model;
      body = sent.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    }
    const auto& ep = p_.ex->ep;
    std::string path = translating_ ? ep.translated_path : p_.path.empty() ? ep.upstream_path : p_.path;
    auto request = provider_->build_request(ep.method, path, translating_ ? p_.translated_headers : p_.headers, body, p_.stream);
    core::secure_zero(body.data(), body.size());
    if (!request) {
      slot_.reset();
      last_ = {};
      last_.failure = Failure::kConfig;
      last_error_ = "upstream_config";
      return next_target();
    }
    request_ = std::move(*request);
    auto& rec = p_.ex->record;
    rec.provider_id = row.id.value;
    rec.upstream_model = target_->upstream_model;
    rec.overhead_us = std::chrono::duration_cast<std::chrono::microseconds>(gw_.deps().clock.steady_now() - p_.ex->start).count();
    pool_ = nullptr;
    auto attempt = ++attempts_;
    std::weak_ptr<ProxyCall> weak = weak_from_this();
    provider_->dial(out_->loop(), [weak, attempt](net::ClientPool* pool, const egress::Pick& pick) {
      auto self = weak.lock();
      // The exchange may have ended (timeout, client gone) while the name was being resolved.
      if (!self || self->finished_ || self->attempts_ != attempt) return;
      self->guarded("upstream_phase", [&] { self->dialled(pool, pick); });
    });
  }

  void dialled(net::ClientPool* pool, const egress::Pick& pick) {
    if (!pool) {
      slot_.reset();
      // A refusal is the operator's policy, not the provider's health: the breaker is not told.
      return fail_attempt(pick.error == "egress_refused" ? Failure::kRefused
                          : pick.error == "tls_config"   ? Failure::kConfig
                                                         : Failure::kConnect);
    }
    pool_ = pool;
    pick_ = pick;
    stale_retried_ = false;
    send_on(pool_->acquire());
  }

  // The address would not take a connection (refused, unreachable): the answer's next checked
  // address, on a fresh connection, within the same attempt. False when none is left.
  bool next_address() {
    if (pick_.others.empty() || !pick_.address) return false;
    provider_->demote(*pick_.address);
    pick_.address = pick_.others.front();
    pick_.others.erase(pick_.others.begin());
    auto* pool = provider_->pool_for(out_->loop(), *pick_.address);
    if (!pool) return false;
    pool_ = pool;
    send_on(pool_->fresh());
    return true;
  }

  void send_on(std::shared_ptr<net::ClientConn> conn) {
    conn_ = std::move(conn);
    auto keep = conn_;  // start() may report synchronously and drop conn_
    keep->start(request_, this, provider_->timeouts(p_.model->reasoning));
  }

  void fail_attempt(Failure f) {
    slot_.reset();
    last_ = {};
    last_.failure = f;
    // Busy, policy, configuration and the operator's proxy say nothing about the provider's health.
    if (f != Failure::kBusy && f != Failure::kRefused && f != Failure::kConfig && f != Failure::kProxy)
      provider_->breaker().record_failure();
    last_error_ = std::string("upstream_") + failure_name(f);
    next_target();
  }

  void drop_conn() {
    if (conn_) conn_->abort();
    conn_.reset();
  }

  void start_relay() {
    relaying_ = true;
    if (translating_ && &p_.ex->ep == &kResponses) {
      relay_.translate_responses(response_echo(gw_, p_));
    } else if (translating_) {
      auto now = std::chrono::duration_cast<std::chrono::seconds>(gw_.deps().clock.system_now().time_since_epoch()).count();
      relay_.translate_from(p_.ex->ep.dialect == Dialect::kOpenAI ? Dialect::kAnthropic : Dialect::kOpenAI, now);
    }
    http::Response r;
    r.status = 200;
    r.content_type = "text/event-stream";
    add_ratelimit_headers(r, p_.ex->admission);
    if (p_.ex->ep.dialect == Dialect::kAnthropic) r.set_header("request-id", p_.ex->record.request_id);
    out_->start_stream(std::move(r));
  }

  void relay_event(const SseEvent& ev) {
    if (client_left_ || relay_.reading.broken) return;
    relay_.on_event(ev, [this](std::string_view piece) {
      if (batching_) {
        batch_.append(piece);
        return true;
      }
      if (out_->write(piece)) return true;
      if (out_->gone()) client_left_ = true;
      else behind_ = true;  // queued; the upstream waits until the client has read it
      return !client_left_;
    });
  }

  void client_drained() {
    if (conn_ && relaying_) conn_->resume();
  }

  void end_relay(std::string error_code) {
    finished_ = true;
    drop_conn();
    slot_.reset();
    if (relay_.blocked) error_code = "content_policy_violation";
    if (!out_->gone()) relay_.release_held([this](std::string_view piece) { return out_->write(piece); });
    if (relay_.blocked && !out_->gone())
      out_->write(stream_error_event(p_.ex->ep.dialect, "The answer was blocked by the guardrail policy.",
                                     "content_policy_violation"));
    else if (!error_code.empty() && !out_->gone())
      out_->write(stream_error_event(p_.ex->ep.dialect, error_code == "upstream_timeout"
                                                            ? "The upstream took too long."
                                                            : "The upstream stream ended unexpectedly."));
    out_->end();
    p_.ex->finish(200, relay_.reading.usage, error_code, relay_.bytes_out);
    done();
  }

  void answer(http::Response r) {
    finished_ = true;  // sending can end the connection, which calls client_gone()
    out_->send(std::move(r));
    done();
  }

  void timed_out() {
    if (finished_) return;
    if (relaying_) return end_relay("upstream_timeout");
    drop_conn();
    slot_.reset();
    last_ = {};
    last_.failure = Failure::kTimeout;
    answer(answer_from(p_, err_req_, true, last_, last_error_));
  }

  void client_gone() {
    if (finished_) return;
    drop_conn();  // closing the upstream connection cancels the upstream request
    slot_.reset();
    p_.ex->finish(relaying_ ? 200 : 499, relay_.reading.usage, "client_disconnected", relay_.bytes_out);
    done();
  }

  void done() {
    finished_ = true;
    auto& loop = out_->loop();
    if (total_timer_) loop.cancel_timer(total_timer_);
    if (backoff_timer_) loop.cancel_timer(backoff_timer_);
    total_timer_ = backoff_timer_ = 0;
    out_->set_callbacks(nullptr, nullptr);
    loop.release_later(std::move(self_));  // not freed while one of our frames is still on the stack
  }

  Gateway& gw_;
  Prepared p_;
  std::shared_ptr<http::Responder> out_;
  http::Request err_req_;
  std::shared_ptr<ProxyCall> self_;
  std::size_t index_ = 0;
  const store::ModelTarget* target_ = nullptr;
  std::shared_ptr<Provider> provider_;
  net::ClientPool* pool_ = nullptr;
  int attempts_ = 0;  // which attempt a dial answer belongs to
  egress::Pick pick_;  // where this attempt connects, and the addresses left to try
  std::optional<Slot> slot_;
  std::shared_ptr<net::ClientConn> conn_;
  std::string request_;
  Attempt last_;
  std::string last_error_ = "no_upstream";
  bool any_target_ = false;
  bool translating_ = false;  // this target's provider speaks the other dialect
  bool stale_retried_ = false;
  bool relaying_ = false;
  bool behind_ = false;
  bool client_left_ = false;
  bool finished_ = false;
  bool batching_ = false;  // relay_event appends to batch_ (one write per upstream read)
  std::string batch_;
  Relay relay_;
  SseSplitter splitter_;
  net::EventLoop::TimerId total_timer_ = 0, backoff_timer_ = 0;
};

}  // namespace

void Gateway::proxy(const KeyCtx& caller, const Endpoint& ep, http::Request& req, std::shared_ptr<http::Responder> out) {
  auto prepared = prepare(caller, ep, req);
  if (auto* stop = std::get_if<http::Response>(&prepared)) return out->send(std::move(*stop));
  run_upstream(*this, std::move(std::get<Prepared>(prepared)), req, std::move(out));
}

void run_upstream(Gateway& gw, Prepared p, const http::Request& req, std::shared_ptr<http::Responder> out) {
  auto call = std::make_shared<ProxyCall>(gw, std::move(p), req, std::move(out));
  call->start();
}

}  // namespace airlock::gateway
