#pragma once
// One client connection on an event loop: TLS handshake, strict HTTP/1.1 parsing (net/http1.h),
// keep-alive and pipelining one request at a time, deadlines, and the response on the wire.
// Handlers run on the worker pool (they may block on SQL or argon2); the loop thread owns the
// socket, so a handler's result comes back through EventLoop::post(). Streamed bodies (SSE) are
// written on the loop by async handlers, through a Responder with back-pressure.
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>

#include "http/front.h"
#include "http/message.h"
#include "http/response_head.h"
#include "net/event_loop.h"

namespace airlock::http {

class Connection;
using Registry = std::unordered_map<Connection*, std::shared_ptr<Connection>>;

class Connection final : public net::Pollable, public std::enable_shared_from_this<Connection> {
 public:
  // `peer_key`: what Front::peers counted this connection under, released when it closes.
  Connection(Front& front, net::EventLoop& loop, Registry& registry, int fd, std::string peer, std::string peer_key);
  ~Connection();

  void start();
  void on_events(std::uint32_t events) override;
  // Loop thread, from the periodic tick: enforces deadlines, and closes idle connections in a drain.
  void tick(core::Clock::SteadyTime now);
  void close_now();

 private:
  enum class State { handshake, head, body, handling, lingering, closed };
  struct Buffer {
    std::unique_ptr<char[]> data;
    std::size_t cap = 0, len = 0;
    void reserve_free(std::size_t n);
    std::string_view view(std::size_t from) const { return {data.get() + from, len - from}; }
  };

  long io_read(char* buf, std::size_t len);
  long io_write(const char* buf, std::size_t len);
  void handshake();
  void do_read();
  void process();
  void dispatch();
  void run_handler();  // worker thread
  void reject(int status, std::string_view code);
  std::string forwarded_for() const;
  void respond(Response r, bool streaming);
  void flush();
  void finish_response();
  void begin_close();
  void access_log();
  std::int64_t deadline_in(std::chrono::nanoseconds d) const {
    return steady_ns(front_.clock.steady_now()) + d.count();
  }
  // A stream produced on the loop itself (Responder, for async handlers): connection_stream.cpp.
  friend class LoopResponder;
  std::shared_ptr<Responder> responder();
  static constexpr std::size_t kStreamHighWater = 256 * 1024;  // queued bytes before the producer waits
  void loop_stream_start(Response head);
  bool loop_stream_write(std::string_view piece);
  void loop_stream_end();
  // The last net for an exception out of this connection's own code or a handler it ran: counted,
  // logged by type, and answered with the route's 500 (or the connection closed if an answer has
  // begun), so the process and every other connection go on.
  void internal_error(const char* where, const std::exception* e);
  Response internal_error_response();
  void handle_events(std::uint32_t events);
  // Runs `f` (this connection's work from the loop: events, a handler's answer, a timer) behind
  // the barrier above.
  template <class F>
  void guarded(const char* where, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      internal_error(where, &e);
    } catch (...) {
      internal_error(where, nullptr);
    }
  }

  Front& front_;
  net::EventLoop& loop_;
  Registry& registry_;
  int fd_;
  std::string peer_;
  std::string peer_key_;
  std::unique_ptr<net::TlsStream> tls_;
  State state_ = State::head;
  std::int64_t deadline_ns_ = 0;  // 0: none
  bool peer_eof_ = false;
  bool hup_ = false;  // epoll said the peer closed its side
  bool read_pending_ = false;
  bool head_started_ = false;  // the header deadline runs from the request's first byte  // data may be waiting while a request is being handled

  Buffer in_;
  std::size_t start_ = 0;     // where the current request begins in in_
  std::size_t head_len_ = 0;
  std::size_t seen_ = 0;      // head bytes already scanned by an incomplete parse
  std::size_t end_ = 0;       // one past the current request (body included)
  const char* head_base_ = nullptr;
  net::http1::RequestHead head_;
  std::unique_ptr<net::http1::ChunkedDecoder> chunked_;
  std::size_t chunk_fed_ = 0;
  std::string body_;          // a chunked body, decoded
  std::string path_;          // percent-decoded
  Request req_;
  const Route* route_ = nullptr;

  // The request being answered, for the access line.
  core::Clock::SteadyTime started_{};
  std::string request_id_;
  std::string client_ip_;
  std::string route_name_ = "-";
  std::string method_;
  std::string cors_origin_;
  int status_ = 0;
  std::size_t bytes_ = 0;
  bool close_after_ = false;
  bool http10_ = false;
  bool responding_ = false;  // a response (or stream head) is in out_
  bool streaming_ = false;
  bool chunked_out_ = false;
  bool answered_ = false;     // respond() ran for this request: a second answer is ignored
  bool behind_ = false;       // a loop stream's writer was told to wait for on_drain_
  std::function<void()> on_gone_, on_drain_;

  std::string out_;
  std::size_t out_off_ = 0;

};

}  // namespace airlock::http
