#include "http/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/barrier.h"
#include "http/client_ip.h"
#include "http/errors.h"
#include "http/form.h"

namespace airlock::http {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr auto kLinger = std::chrono::seconds(2);     // reading what a client still sends after our close

// The origin-form path, percent-decoded; false for anything else (absolute-form, "*", a bad
// escape, an encoded NUL). No dot-segment folding: routes are literal, so "/a/../b" is just unknown.
bool decode_path(std::string_view target, std::string& out) {
  auto raw = target.substr(0, target.find('?'));
  if (raw.empty() || raw[0] != '/') return false;
  auto decoded = url_decode(raw, /*plus_is_space=*/false);
  if (!decoded || decoded->find('\0') != std::string::npos) return false;
  out = std::move(*decoded);
  return true;
}

}  // namespace

void Connection::Buffer::reserve_free(std::size_t n) {
  if (cap - len >= n) return;
  std::size_t want = cap ? cap * 2 : kReadChunk;
  while (want - len < n) want *= 2;
  std::unique_ptr<char[]> next(new char[want]);
  if (len) std::memcpy(next.get(), data.get(), len);
  data = std::move(next);
  cap = want;
}

Connection::Connection(Front& front, net::EventLoop& loop, Registry& registry, int fd, std::string peer,
                       std::string peer_key)
    : front_(front), loop_(loop), registry_(registry), fd_(fd), peer_(std::move(peer)), peer_key_(std::move(peer_key)) {}

Connection::~Connection() {
  if (state_ == State::closed) return;
  ::close(fd_);
  front_.peers.release(peer_key_);
}

void Connection::start() {
  deadline_ns_ = deadline_in(std::chrono::seconds(front_.config.header_timeout_s));
  loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this);
  if (front_.tls) {
    tls_ = std::make_unique<net::TlsStream>(*front_.tls, fd_);
    state_ = State::handshake;
    handshake();
  }
}

long Connection::io_read(char* buf, std::size_t len) { return net::socket_read(fd_, tls_.get(), buf, len); }

long Connection::io_write(const char* buf, std::size_t len) { return net::socket_write(fd_, tls_.get(), buf, len); }

void Connection::on_events(std::uint32_t ev) {
  guarded("event_loop", [&] {
    core::fault_point("event_loop");
    handle_events(ev);
  });
}

void Connection::internal_error(const char* where, const std::exception* e) {
  core::record_internal_error(front_.log, where, request_id_, e);
  if (state_ == State::closed) return;
  try {
    // A request still waiting for its answer gets the route's 500; anything else (an answer half
    // written, a stream under way, no request yet) cannot be answered cleanly and is closed.
    if (state_ == State::handling && !answered_ && !responding_) {
      close_after_ = true;
      return respond(internal_error_response(), false);
    }
  } catch (...) {
    core::record_internal_error(front_.log, where, request_id_, nullptr);
  }
  close_now();
}

Response Connection::internal_error_response() {
  try {
    if (route_ && route_->internal_error) return route_->internal_error(req_);
    if (const auto& fallback = front_.router.internal_error()) return fallback(req_);
  } catch (...) {
    // The error page itself failed: the plain JSON answer below needs nothing that can.
  }
  return error_response(500, "internal_error", default_error_message(500), request_id_);
}

void Connection::handle_events(std::uint32_t ev) {
  if (state_ == State::closed) return;
  if (ev & EPOLLERR) return close_now();
  if (ev & (EPOLLRDHUP | EPOLLHUP)) hup_ = true;
  // A client that hangs up while its request is being answered is gone (as nginx treats it): stop
  // the producer and the upstream request now rather than at the next failed write.
  if ((ev & EPOLLRDHUP) && state_ == State::handling) return close_now();
  if (state_ == State::handshake) return handshake();
  if ((ev & EPOLLOUT) && out_off_ < out_.size()) flush();
  if (state_ == State::closed) return;
  if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
    do_read();
    process();
  }
}

void Connection::handshake() {
  long rc = tls_->handshake();
  if (rc == net::TlsStream::kWant) return;
  if (rc != 1) return close_now();  // not a client we accept; nothing to answer in plain text
  state_ = State::head;
  do_read();
  process();
}

void Connection::do_read() {
  if (state_ == State::handling) {
    read_pending_ = true;  // edge-triggered: remember to look again after the response
    return;
  }
  if (state_ != State::head && state_ != State::body && state_ != State::lingering) return;
  for (;;) {
    if (state_ == State::lingering) in_.len = 0;  // discarded: we only wait for the client's close
    in_.reserve_free(4096);
    std::size_t room = in_.cap - in_.len;
    long n = io_read(in_.data.get() + in_.len, room);
    if (n > 0) {
      in_.len += static_cast<std::size_t>(n);
      // A plain socket read that did not fill the buffer drained the socket: skip the EAGAIN read.
      // Unless the peer hung up: its FIN came with the same edge, and only a read finds it.
      if (!tls_ && !hup_ && static_cast<std::size_t>(n) < room) return;
      continue;
    }
    if (n == 0) {
      peer_eof_ = true;
      if (state_ == State::lingering) close_now();
      return;
    }
    if (n == net::TlsStream::kWant) return;
    return close_now();
  }
}

void Connection::process() {
  using net::http1::Framing;
  using net::http1::Parsed;
  for (;;) {
    auto now = front_.clock.steady_now();
    if (state_ == State::head) {
      if (in_.len == start_) {
        if (peer_eof_) close_now();
        return;
      }
      if (!head_started_) {
        head_started_ = true;
        deadline_ns_ = deadline_in(std::chrono::seconds(front_.config.header_timeout_s));
      }
      auto p = net::http1::parse_request_head(in_.view(start_), front_.limits, head_, seen_);
      if (p.kind == Parsed::incomplete) {
        seen_ = in_.len - start_;
        if (peer_eof_) close_now();
        return;
      }
      if (p.kind == Parsed::error) return reject(p.err.status, p.err.code);
      head_len_ = p.consumed;
      head_base_ = in_.data.get();
      started_ = now;
      if (head_.framing == Framing::length && head_.content_length > front_.config.max_body_bytes)
        return reject(413, "body_too_large");
      if (head_.framing == Framing::chunked) {
        chunked_ = std::make_unique<net::http1::ChunkedDecoder>(front_.config.max_body_bytes);
        chunk_fed_ = 0;
        body_.clear();
      }
      if (head_.expect_continue && head_.framing != Framing::none && !(head_.framing == Framing::length && head_.content_length == 0)) {
        out_.append("HTTP/1.1 100 Continue\r\n\r\n");
        flush();
        if (state_ == State::closed) return;
      }
      state_ = State::body;
      deadline_ns_ = deadline_in(std::chrono::seconds(front_.config.read_timeout_s));
    }
    if (state_ != State::body) return;
    std::size_t body_at = start_ + head_len_;
    if (head_.framing == Framing::length) {
      std::size_t want = static_cast<std::size_t>(head_.content_length);
      if (in_.len - body_at < want) {
        in_.reserve_free(want - (in_.len - body_at));
        if (peer_eof_) close_now();
        return;
      }
      end_ = body_at + want;
    } else if (head_.framing == Framing::chunked) {
      auto step = chunked_->feed(in_.view(body_at + chunk_fed_), body_);
      chunk_fed_ += step.consumed;
      if (step.kind == net::http1::ChunkedDecoder::Step::error) return reject(step.err.status, step.err.code);
      if (step.kind == net::http1::ChunkedDecoder::Step::need_more) {
        if (peer_eof_) close_now();
        return;
      }
      end_ = body_at + chunk_fed_;
    } else {
      end_ = body_at;
    }
    return dispatch();
  }
}

void Connection::dispatch() {
  using net::http1::Framing;
  state_ = State::handling;
  deadline_ns_ = 0;
  // The head's views point into in_; a body read may have moved the buffer since.
  if (in_.data.get() != head_base_) {
    net::http1::parse_request_head(in_.view(start_), front_.limits, head_);
  }
  const auto* rid = head_.header("X-Request-Id");
  request_id_ = rid && valid_request_id(*rid) ? std::string(*rid) : front_.new_request_id();
  client_ip_ = resolve_client_ip(peer_, forwarded_for(), front_.config.trusted_proxies);
  method_.assign(head_.method.size() <= 16 ? head_.method : std::string_view("?"));
  route_name_ = "-";
  http10_ = head_.minor == 0;
  close_after_ = !head_.keep_alive || front_.draining.load();
  cors_origin_.clear();
  if (!decode_path(head_.target, path_)) return reject(400, "bad_request");
  if (const auto* origin = head_.header("Origin"); origin && front_.cors_allowed(path_, *origin))
    cors_origin_.assign(*origin);

  req_ = Request{};
  req_.method = head_.method;
  req_.path = path_;
  req_.target = head_.target;
  req_.client_ip = client_ip_;
  req_.request_id = request_id_;
  req_.headers.reserve(head_.headers.size());
  for (const auto& h : head_.headers) req_.headers.emplace_back(h.name, h.value);
  if (head_.framing == Framing::chunked) req_.body = body_;
  else if (head_.framing == Framing::length) req_.body = in_.view(start_ + head_len_).substr(0, end_ - start_ - head_len_);

  // A CORS preflight from an allowed origin; any other OPTIONS goes on to routing (405).
  if (head_.method == "OPTIONS" && head_.header("Access-Control-Request-Method") && !cors_origin_.empty()) {
    Response r;
    r.status = 204;
    r.set_header("Access-Control-Allow-Methods", "GET, PUT, POST, PATCH, DELETE");
    r.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id");
    r.set_header("Access-Control-Max-Age", "600");
    return respond(std::move(r), false);
  }
  auto m = front_.router.match(head_.method, path_);
  if (!m.route) {
    if (!m.allowed.empty()) {
      auto e = error_response(405, "method_not_allowed", default_error_message(405), request_id_);
      e.set_header("Allow", m.allowed);
      return respond(std::move(e), false);
    }
    return respond(error_response(404, "not_found", default_error_message(404), request_id_), false);
  }
  route_ = m.route;
  route_name_ = m.route->pattern;
  for (auto& [k, v] : m.params) req_.path_params.emplace(k, std::move(v));
  if (req_.unreadable_params())
    return respond(error_response(400, "invalid_form", "The form or query string could not be read.", request_id_), false);
  auto self = shared_from_this();
  if (m.route->async) {
    core::fault_point("async");
    return m.route->async(req_, responder());
  }
  if (!front_.workers.submit([self] { self->run_handler(); }))
    respond(error_response(503, "unavailable", default_error_message(503), request_id_), false);
}

std::string Connection::forwarded_for() const {
  // Every X-Forwarded-For line, in order, as one list: HAProxy's `option forwardfor` adds its own
  // line after whatever the client sent, so reading only the first line would let the client
  // choose its address. resolve_client_ip reads the list from the right.
  std::string all;
  for (const auto& h : head_.headers) {
    if (!iequals(h.name, "X-Forwarded-For")) continue;
    if (!all.empty()) all += ", ";
    all.append(h.value);
  }
  return all;
}

void Connection::reject(int status, std::string_view code) {
  if (status == 413) code = "body_too_large";  // one code for it, however the size was learnt
  // A request we could not frame: nothing after it on this connection can be trusted.
  state_ = State::handling;
  close_after_ = true;
  if (request_id_.empty()) request_id_ = front_.new_request_id();
  if (client_ip_.empty()) client_ip_ = peer_;
  if (method_.empty()) method_ = "-";
  route_name_ = "-";
  started_ = front_.clock.steady_now();
  respond(error_response(status, code, default_error_message(status), request_id_), false);
}

void Connection::respond(Response r, bool streaming) {
  if (state_ == State::closed) return;
  if (r.delay.count() > 0 && !streaming) {
    auto at = std::chrono::steady_clock::now() + r.delay;
    r.delay = std::chrono::milliseconds(0);
    answered_ = true;
    auto self = shared_from_this();
    loop_.add_timer(at, [self, r = std::move(r)]() mutable {
      self->guarded("timer", [&] {
        core::fault_point("timer");
        self->respond(std::move(r), false);
      });
    });
    return;
  }
  answered_ = true;
  if (!headers_safe(r)) {
    front_.log.error("handler produced an unsafe header; answered 500 instead", {{"request_id", request_id_}});
    r = error_response(500, "internal_error", default_error_message(500), request_id_);
    streaming = false;
  }
  if (r.status >= 400 || front_.draining.load()) close_after_ = true;
  status_ = r.status;
  ResponseContext c;
  c.request_id = request_id_;
  c.tls = tls_ != nullptr;
  c.hsts_preload = front_.config.hsts_preload;
  c.cors_origin = cors_origin_;
  c.close = close_after_;
  c.http10 = http10_;
  bool no_body = r.status == 204 || r.status == 304;
  bool head_only = head_.method == "HEAD";
  responding_ = true;
  if (streaming) {
    if (!chunked_out_) close_after_ = c.close = true;
    append_response_head(out_, r, c, chunked_out_ ? BodyFraming::chunked : BodyFraming::until_close, 0);
    streaming_ = true;
    deadline_ns_ = 0;
    flush();
    return;
  }
  append_response_head(out_, r, c, no_body ? BodyFraming::none : BodyFraming::length, r.body.size());
  if (!no_body && !head_only) out_.append(r.body);
  bytes_ = no_body ? 0 : r.body.size();
  flush();
}

void Connection::flush() {
  while (out_off_ < out_.size()) {
    long n = io_write(out_.data() + out_off_, out_.size() - out_off_);
    if (n > 0) {
      out_off_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n == net::TlsStream::kWant) {
      deadline_ns_ = deadline_in(std::chrono::seconds(front_.config.write_timeout_s));
      return;
    }
    return close_now();
  }
  out_.clear();
  out_off_ = 0;
  if (!responding_) return;
  if (streaming_) {
    if (behind_ && on_drain_) {
      behind_ = false;
      auto drain = on_drain_;  // it may write (and so re-enter flush) or end the stream
      drain();
    }
    return;
  }
  finish_response();
}

void Connection::finish_response() {
  access_log();
  responding_ = false;
  streaming_ = false;
  answered_ = false;
  behind_ = false;
  on_gone_ = nullptr;  // they capture the handler's state, which holds us: break the cycle
  on_drain_ = nullptr;
  if (close_after_) return begin_close();
  // Keep the bytes of a pipelined next request; drop the rest.
  std::size_t rest = in_.len - end_;
  if (rest && end_) std::memmove(in_.data.get(), in_.data.get() + end_, rest);
  in_.len = rest;
  if (rest == 0 && in_.cap > 4 * kReadChunk) {
    in_.data.reset();
    in_.cap = 0;
  }
  start_ = end_ = head_len_ = 0;
  chunked_.reset();
  body_.clear();
  route_ = nullptr;
  status_ = 0;
  bytes_ = 0;
  request_id_.clear();
  client_ip_.clear();
  method_.clear();
  head_started_ = false;
  seen_ = 0;
  state_ = State::head;
  deadline_ns_ = deadline_in(std::chrono::seconds(front_.config.idle_timeout_s));
  if (read_pending_) {
    read_pending_ = false;
    do_read();
  }
  process();
}

void Connection::begin_close() {
  if (tls_) tls_->close_notify();
  ::shutdown(fd_, SHUT_WR);
  state_ = State::lingering;
  deadline_ns_ = deadline_in(kLinger);
  do_read();
}

void Connection::close_now() {
  if (state_ == State::closed) return;
  bool was_responding = responding_ && status_ != 0;
  // The client left before any answer: logged as nginx does, 499 "client closed request".
  bool unanswered = state_ == State::handling && !responding_ && !request_id_.empty();
  state_ = State::closed;
  loop_.remove(fd_);
  ::close(fd_);
  front_.open.fetch_sub(1);
  front_.peers.release(peer_key_);
  if (unanswered) status_ = 499;
  if (was_responding || unanswered) access_log();  // a response cut short still gets its line
  on_drain_ = nullptr;
  if (auto gone = std::move(on_gone_)) {
    on_gone_ = nullptr;
    gone();
  }
  auto self = shared_from_this();
  registry_.erase(this);
  loop_.release_later(std::move(self));
}

void Connection::tick(core::Clock::SteadyTime now) {
  if (state_ == State::closed) return;
  if (front_.draining.load()) {
    bool idle = state_ == State::handshake || (state_ == State::head && in_.len == start_);
    if (idle || steady_ns(now) >= front_.drain_deadline_ns.load()) return close_now();
  }
  if (deadline_ns_ != 0 && steady_ns(now) >= deadline_ns_) close_now();
}

void Connection::access_log() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(front_.clock.steady_now() - started_).count();
  // The route pattern, never the raw path or query: those can carry tokens.
  front_.log.info("request", {{"method", method_},
                              {"route", route_name_},
                              {"status", status_},
                              {"bytes", static_cast<std::int64_t>(bytes_)},
                              {"duration_us", static_cast<std::int64_t>(us)},
                              {"request_id", request_id_},
                              {"client_ip", client_ip_}});
  status_ = 0;
}

}  // namespace airlock::http
