#include "net/client_conn.h"

#include "core/bytes.h"

#include <cstring>

#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

namespace airlock::net {
namespace {
constexpr std::size_t kRead = 16 * 1024;
constexpr std::size_t kMaxHead = 64 * 1024;  // an upstream's response head; more is not an LLM API
}  // namespace

ClientTarget::~ClientTarget() {
  if (!tunnel.empty()) core::secure_zero(tunnel.data(), tunnel.size());
}

ClientConn::ClientConn(EventLoop& loop, std::shared_ptr<const ClientTarget> target)
    : loop_(loop), target_(std::move(target)) {}

ClientConn::~ClientConn() {
  disarm();
  if (fd_ >= 0) ::close(fd_);
}

long ClientConn::io_read(char* buf, std::size_t len) { return net::socket_read(fd_, tls_.get(), buf, len); }

long ClientConn::io_write(const char* buf, std::size_t len) { return net::socket_write(fd_, tls_.get(), buf, len); }

void ClientConn::arm(std::chrono::milliseconds after, ClientError e) {
  disarm();
  std::weak_ptr<ClientConn> weak = weak_from_this();
  timer_ = loop_.add_timer(std::chrono::steady_clock::now() + after, [weak, e] {
    if (auto self = weak.lock()) {
      self->timer_ = 0;
      self->fail(e);
    }
  });
}

void ClientConn::disarm() {
  if (timer_) loop_.cancel_timer(timer_);
  timer_ = 0;
}

void ClientConn::start(std::string request, ClientSink* sink, ClientTimeouts timeouts) {
  request_ = std::move(request);
  written_ = 0;
  sink_ = sink;
  timeouts_ = timeouts;
  ++exchanges_;
  in_.clear();
  in_off_ = seen_ = 0;
  head_done_ = got_bytes_ = eof_ = paused_ = reusable_ = false;
  chunked_.reset();
  on_parked_close_ = nullptr;
  if (state_ == State::fresh) return connect();
  if (state_ != State::parked && state_ != State::done) return fail(ClientError::kStale);
  write_request();
}

void ClientConn::connect() {
  const auto& t = *target_;
  if (t.addr_len == 0) return fail(ClientError::kConnect);
  fd_ = ::socket(t.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(ClientError::kConnect);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  state_ = State::connecting;
  arm(timeouts_.connect, ClientError::kTimeout);
  int rc = ::connect(fd_, reinterpret_cast<const sockaddr*>(&t.addr), t.addr_len);
  if (rc != 0 && errno != EINPROGRESS) return fail(ClientError::kConnect);
  loop_.add(fd_, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, this);
  if (rc == 0) connected();
}

void ClientConn::connected() {
  if (target_->tunnel.empty()) return inside();
  state_ = State::tunnel_writing;
  written_ = 0;
  tunnel_write();
}

// The proxy's CONNECT exchange, in the clear and under the connect timeout.
void ClientConn::tunnel_write() {
  const auto& head = target_->tunnel;
  while (written_ < head.size()) {
    long n = socket_write(fd_, nullptr, head.data() + written_, head.size() - written_);
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n == TlsStream::kWant) return;
    return fail(ClientError::kProxy);
  }
  written_ = 0;
  state_ = State::tunnel_reading;
  tunnel_read();
}

void ClientConn::tunnel_read() {
  char buf[1024];
  for (;;) {
    long n = socket_read(fd_, nullptr, buf, sizeof buf);
    if (n == TlsStream::kWant) return;
    if (n <= 0) return fail(ClientError::kProxy);
    in_.append(buf, static_cast<std::size_t>(n));
    auto end = in_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (in_.size() > 8192) return fail(ClientError::kProxy);
      continue;
    }
    // "HTTP/1.0 2xx …" or "HTTP/1.1 2xx …" opens the tunnel; anything else (407, 403, 502) is the
    // proxy refusing. Bytes after the head would be the upstream speaking first: not TLS or HTTP.
    auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(in_[i])) != 0; };
    bool ok = in_.size() == end + 4 && end >= 12 && in_.compare(0, 7, "HTTP/1.") == 0 && (in_[7] == '0' || in_[7] == '1') &&
              in_[8] == ' ' && in_[9] == '2' && digit(10) && digit(11) && (in_[12] == ' ' || in_[12] == '\r');
    in_.clear();
    if (!ok) return fail(ClientError::kProxy);
    return inside();
  }
}

void ClientConn::inside() {
  if (!target_->tls) return write_request();
  tls_ = std::make_unique<TlsStream>(target_->tls->conf(), fd_, target_->host.c_str());
  state_ = State::handshaking;
  handshake();
}

void ClientConn::handshake() {
  long rc = tls_->handshake();
  if (rc == TlsStream::kWant) return;
  if (rc != 1) return fail(ClientError::kTls);
  write_request();
}

void ClientConn::write_request() {
  if (state_ != State::writing) {
    state_ = State::writing;
    arm(timeouts_.first_byte, ClientError::kTimeout);
  }
  while (written_ < request_.size()) {
    long n = io_write(request_.data() + written_, request_.size() - written_);
    if (n > 0) {
      written_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n == TlsStream::kWant) return;
    return fail(reused() && !got_bytes_ ? ClientError::kStale : ClientError::kRead);
  }
  // The answer can only come after the request, as a new edge: no read now.
  state_ = State::reading;
}

void ClientConn::on_events(std::uint32_t ev) {
  auto self = shared_from_this();  // a callback below may drop the last outside reference
  if (ev & (EPOLLRDHUP | EPOLLHUP)) hup_ = true;
  switch (state_) {
    case State::connecting: {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0 || (ev & (EPOLLERR | EPOLLHUP))) return fail(ClientError::kConnect);
      if (ev & EPOLLOUT) connected();
      return;
    }
    case State::tunnel_writing:
      if (ev & (EPOLLERR | EPOLLHUP)) return fail(ClientError::kProxy);
      return tunnel_write();
    case State::tunnel_reading: return tunnel_read();
    case State::handshaking: return handshake();
    case State::writing:
      if (ev & (EPOLLERR | EPOLLHUP)) return fail(reused() ? ClientError::kStale : ClientError::kRead);
      write_request();
      if (state_ == State::reading && (ev & (EPOLLIN | EPOLLRDHUP))) read_response();
      return;
    case State::reading: return read_response();
    case State::parked:
      if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        auto tell = std::move(on_parked_close_);
        close();
        if (tell) tell(this);
      }
      return;
    default: return;
  }
}

void ClientConn::read_response() {
  while (state_ == State::reading && !paused_) {
    if (in_off_ > 0 && in_off_ == in_.size()) {
      in_.clear();
      in_off_ = 0;
      seen_ = 0;
    }
    std::size_t old = in_.size();
    in_.resize(old + kRead);
    long n = io_read(in_.data() + old, kRead);
    if (n > 0) {
      in_.resize(old + static_cast<std::size_t>(n));
      got_bytes_ = true;
      process();
      // A plain read that did not fill the buffer drained the socket: the next bytes bring a new
      // edge, so skip the read that would only say EAGAIN.
      // Not when the peer has hung up: its FIN came with the same edge, and only a read finds it.
      if (!tls_ && !hup_ && static_cast<std::size_t>(n) < kRead) return;
      continue;
    }
    in_.resize(old);
    if (n == TlsStream::kWant) return;
    if (n == 0) {
      eof_ = true;
      return process();
    }
    return fail(reused() && !got_bytes_ ? ClientError::kStale : ClientError::kRead);
  }
}

void ClientConn::process() {
  using http1::Framing;
  while (state_ == State::reading && !paused_) {
    if (!head_done_) {
      http1::Limits limits;
      limits.max_head_bytes = kMaxHead;
      limits.max_headers = 200;
      auto p = http1::parse_response_head(std::string_view(in_).substr(in_off_), limits, false, head_, seen_);
      if (p.kind == http1::Parsed::incomplete) {
        seen_ = in_.size() - in_off_;
        if (eof_) fail(reused() && !got_bytes_ ? ClientError::kStale : ClientError::kRead);
        return;
      }
      if (p.kind == http1::Parsed::error) return fail(ClientError::kProtocol);
      in_off_ += p.consumed;
      seen_ = 0;
      if (head_.status < 200) continue;  // 100 Continue and friends: the real head follows
      head_done_ = true;
      framing_ = head_.framing;
      remaining_ = head_.content_length;
      if (framing_ == Framing::chunked) chunked_ = std::make_unique<http1::ChunkedDecoder>();
      arm(timeouts_.idle, ClientError::kTimeout);
      reusable_ = head_.keep_alive;
      sink_->on_head(head_);
      if (state_ != State::reading) return;  // the sink aborted
      if (framing_ == Framing::none) return complete();
      continue;
    }
    std::string_view avail = std::string_view(in_).substr(in_off_);
    if (avail.empty() && !eof_) {
      arm(timeouts_.idle, ClientError::kTimeout);
      return;
    }
    bool more = true;
    if (framing_ == Framing::length) {
      auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, avail.size()));
      in_off_ += take;
      remaining_ -= take;
      if (take) more = sink_->on_body(avail.substr(0, take));
      if (state_ != State::reading) return;
      if (remaining_ == 0) return complete();
      if (eof_) return fail(ClientError::kRead);
    } else if (framing_ == Framing::chunked) {
      decoded_.clear();
      auto step = chunked_->feed(avail, decoded_);
      in_off_ += step.consumed;
      if (step.kind == http1::ChunkedDecoder::Step::error) return fail(ClientError::kProtocol);
      if (!decoded_.empty()) more = sink_->on_body(decoded_);
      if (state_ != State::reading) return;
      if (step.kind == http1::ChunkedDecoder::Step::done) return complete();
      if (eof_) return fail(ClientError::kRead);
    } else {  // until the upstream closes
      in_off_ += avail.size();
      if (!avail.empty()) more = sink_->on_body(avail);
      if (state_ != State::reading) return;
      if (eof_) return complete();
    }
    if (!more) paused_ = true;
    if (in_off_ == in_.size()) return;  // all consumed: read more
  }
}

void ClientConn::resume() {
  if (state_ != State::reading || !paused_) return;
  paused_ = false;
  auto self = shared_from_this();
  process();
  read_response();
}

void ClientConn::complete() {
  disarm();
  // Bytes beyond the response, or an upstream that said close: not reusable.
  if (in_off_ != in_.size() || eof_ || framing_ == http1::Framing::until_close) reusable_ = false;
  state_ = State::done;
  auto* sink = std::exchange(sink_, nullptr);
  request_.clear();
  if (sink) sink->on_complete();
}

void ClientConn::fail(ClientError e) {
  close();
  auto* sink = std::exchange(sink_, nullptr);
  if (sink) sink->on_error(e);
}

void ClientConn::abort() {
  sink_ = nullptr;
  close();
}

void ClientConn::close() {
  disarm();
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
    // An epoll batch may still name us; stay alive until it is done.
    loop_.release_later(shared_from_this());
  }
  tls_.reset();
  state_ = State::closed;
}

void ClientConn::park(std::function<void(ClientConn*)> on_closed) {
  state_ = State::parked;
  on_parked_close_ = std::move(on_closed);
  in_.clear();
  in_.shrink_to_fit();
  in_off_ = 0;
}

ClientPool::ClientPool(EventLoop& loop, std::shared_ptr<const ClientTarget> target, std::size_t max_idle,
                       std::atomic<int>& made)
    : loop_(loop), target_(std::move(target)), max_idle_(max_idle), made_(made) {}

ClientPool::~ClientPool() {
  for (auto& c : idle_) {
    std::shared_ptr<ClientConn> conn = std::move(c);
    conn->park(nullptr);
    // Closed on its own loop, where its socket is registered; if that loop has ended, here.
    if (!loop_.post([conn] { conn->abort(); })) conn->abort();
  }
}

bool ClientPool::aimed_at(const sockaddr_storage& addr, socklen_t len) const {
  return len == target_->addr_len && std::memcmp(&addr, &target_->addr, len) == 0;
}

void ClientPool::retarget(std::shared_ptr<const ClientTarget> target) {
  target_ = std::move(target);
  auto old = std::move(idle_);
  idle_.clear();
  for (auto& c : old) {
    c->park(nullptr);  // its close callback would edit idle_
    c->abort();
  }
}

std::shared_ptr<ClientConn> ClientPool::acquire() {
  while (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    if (!c->closed()) return c;
  }
  return fresh();
}

std::shared_ptr<ClientConn> ClientPool::fresh() {
  made_.fetch_add(1);
  return std::make_shared<ClientConn>(loop_, target_);
}

void ClientPool::release(std::shared_ptr<ClientConn> c) {
  // One made before a retarget goes to the old address: not kept.
  if (!c || !c->reusable() || idle_.size() >= max_idle_ || c->target() != target_.get()) {
    if (c) c->abort();
    return;
  }
  c->park([this](ClientConn* gone) {
    for (auto it = idle_.begin(); it != idle_.end(); ++it)
      if (it->get() == gone) {
        idle_.erase(it);
        return;
      }
  });
  idle_.push_back(std::move(c));
}

}  // namespace airlock::net
