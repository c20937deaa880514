// The streamed half of a connection: a body produced on a worker (Response::stream, handed over
// with back-pressure through spend_), or on the loop itself by an async handler (LoopResponder).
#include <typeinfo>

#include "http/connection.h"
#include "http/errors.h"

namespace airlock::http {
namespace {

void append_hex(std::string& out, std::size_t n) {
  char buf[20];
  int len = 0;
  do {
    buf[len++] = "0123456789abcdef"[n & 15];
    n >>= 4;
  } while (n);
  while (len) out.push_back(buf[--len]);
}

}  // namespace

class LoopResponder final : public Responder {
 public:
  explicit LoopResponder(std::shared_ptr<Connection> c) : c_(std::move(c)) {}
  void send(Response r) override {
    if (!c_->answered_) c_->respond(std::move(r), false);
  }
  void start_stream(Response head) override {
    if (!c_->answered_) c_->loop_stream_start(std::move(head));
  }
  bool write(std::string_view piece) override { return c_->loop_stream_write(piece); }
  void end() override { c_->loop_stream_end(); }
  bool gone() const override { return c_->state_ == Connection::State::closed; }
  void set_callbacks(std::function<void()> on_gone, std::function<void()> on_drain) override {
    c_->on_gone_ = std::move(on_gone);
    c_->on_drain_ = std::move(on_drain);
  }
  net::EventLoop& loop() override { return c_->loop_; }

 private:
  std::shared_ptr<Connection> c_;
};

std::shared_ptr<Responder> Connection::responder() { return std::make_shared<LoopResponder>(shared_from_this()); }

void Connection::run_handler() {
  Response r;
  try {
    r = route_->handler(req_);
  } catch (const std::exception& e) {
    // Only the exception's type is logged: its text may quote input.
    front_.log.error("unhandled exception in handler", {{"request_id", request_id_}, {"exception", typeid(e).name()}});
    r = error_response(500, "internal_error", default_error_message(500), request_id_);
  } catch (...) {
    front_.log.error("unhandled exception in handler", {{"request_id", request_id_}, {"exception", "unknown"}});
    r = error_response(500, "internal_error", default_error_message(500), request_id_);
  }
  auto self = shared_from_this();
  bool stream = r.stream && r.status != 204 && r.status != 304 && head_.method != "HEAD";
  if (!stream) {
    r.stream = nullptr;
    loop_.post([self, r = std::move(r)]() mutable { self->respond(std::move(r), false); });
    return;
  }
  auto produce = std::move(r.stream);
  r.stream = nullptr;
  // Decided here, before the producer's first write: stream_write frames by it on this thread.
  chunked_out_ = !http10_;
  if (!loop_.post([self, r = std::move(r)]() mutable { self->respond(std::move(r), true); })) return;
  produce([&self](std::string_view piece) { return piece.empty() || self->stream_write(piece); });
  stream_end();
}

bool Connection::stream_write(std::string_view piece) {
  std::unique_lock lock(smu_);
  if (gone_) return false;
  if (chunked_out_) {
    append_hex(spend_, piece.size());
    spend_.append("\r\n").append(piece).append("\r\n");
  } else {
    spend_.append(piece);
  }
  stream_bytes_ += piece.size();
  if (!pull_posted_) {
    pull_posted_ = true;
    auto self = shared_from_this();
    if (!loop_.post([self] { self->pull_stream(); })) return false;
  }
  scv_.wait(lock, [this] { return gone_ || spend_.size() < kStreamHighWater; });
  return !gone_;
}

void Connection::stream_end() {
  std::lock_guard lock(smu_);
  stream_done_ = true;
  if (chunked_out_ && !gone_) spend_.append("0\r\n\r\n");
  if (!pull_posted_) {
    pull_posted_ = true;
    auto self = shared_from_this();
    loop_.post([self] { self->pull_stream(); });
  }
}

void Connection::pull_stream() {
  if (state_ == State::closed || !streaming_) {
    std::lock_guard lock(smu_);
    pull_posted_ = false;
    return;
  }
  bool done;
  {
    std::lock_guard lock(smu_);
    pull_posted_ = false;
    // Leave it queued while the socket is still behind: the producer then waits (back-pressure).
    if (out_.size() - out_off_ >= kStreamHighWater) return;
    out_.append(spend_);
    spend_.clear();
    done = stream_done_;
  }
  scv_.notify_all();
  if (done) {
    streaming_ = false;
    std::lock_guard lock(smu_);
    bytes_ = stream_bytes_;
  }
  flush();
}

void Connection::loop_stream_start(Response head) {
  loop_stream_ = true;
  chunked_out_ = !http10_;
  respond(std::move(head), true);
}

bool Connection::loop_stream_write(std::string_view piece) {
  if (state_ == State::closed || !streaming_ || !loop_stream_) return false;
  if (piece.empty()) return true;
  if (chunked_out_) {
    append_hex(out_, piece.size());
    out_.append("\r\n").append(piece).append("\r\n");
  } else {
    out_.append(piece);
  }
  bytes_ += piece.size();
  flush();
  if (state_ == State::closed) return false;
  if (out_.size() - out_off_ < kStreamHighWater) return true;
  behind_ = true;
  return false;
}

void Connection::loop_stream_end() {
  if (state_ == State::closed || !streaming_ || !loop_stream_) return;
  if (chunked_out_) out_.append("0\r\n\r\n");
  streaming_ = false;
  flush();
}

}  // namespace airlock::http
