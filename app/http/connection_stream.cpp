// The handler's half of a connection: a worker's answer handed back to the loop, and a stream
// written on the loop by an async handler (LoopResponder).
#include "core/barrier.h"
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
    core::fault_point("worker");
    r = route_->handler(req_);
  } catch (const std::exception& e) {
    core::record_internal_error(front_.log, "worker", request_id_, &e);
    r = internal_error_response();
  } catch (...) {
    core::record_internal_error(front_.log, "worker", request_id_, nullptr);
    r = internal_error_response();
  }
  auto self = shared_from_this();
  loop_.post([self, r = std::move(r)]() mutable {
    self->guarded("posted", [&] {
      core::fault_point("posted");
      if (!self->answered_) self->respond(std::move(r), false);  // not after a barrier's 500
    });
  });
}

void Connection::loop_stream_start(Response head) {
  chunked_out_ = !http10_;
  respond(std::move(head), true);
}

bool Connection::loop_stream_write(std::string_view piece) {
  if (state_ == State::closed || !streaming_) return false;
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
  if (state_ == State::closed || !streaming_) return;
  if (chunked_out_) out_.append("0\r\n\r\n");
  streaming_ = false;
  flush();
}

}  // namespace airlock::http
