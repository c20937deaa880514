#include "http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "core/bytes.h"
#include "http/connection.h"

namespace airlock::http {

std::string Front::new_request_id() const { return core::to_base64url(random.bytes(12)); }

bool Front::cors_allowed(std::string_view path, std::string_view origin) const {
  if (path.rfind("/api/", 0) != 0) return false;
  return std::find(config.cors_origins.begin(), config.cors_origins.end(), origin) != config.cors_origins.end();
}

namespace {

std::string peer_text(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, host, sizeof host);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))  // a v4 client on a v6 socket: report it as v4
      inet_ntop(AF_INET, reinterpret_cast<const char*>(&a->sin6_addr) + 12, host, sizeof host);
    else
      inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
  }
  return host;
}

// One event loop with its share of the connections. Accepting is shared: the listening socket is
// in every loop with EPOLLEXCLUSIVE, so the kernel wakes one loop per new connection.
struct Loop final : net::Pollable {
  Front& front;
  int listen_fd;
  net::EventLoop loop;
  Registry conns;
  bool accepting = true;

  Loop(Front& f, int fd) : front(f), listen_fd(fd) {
    loop.add(listen_fd, EPOLLIN | EPOLLEXCLUSIVE, this);
    loop.set_tick(std::chrono::milliseconds(100), [this] { tick(); });
  }

  void on_events(std::uint32_t) override {
    for (int i = 0; i < 64; ++i) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
        // Out of descriptors, or the listener was shut down: stop asking until the next tick, or
        // the level-triggered listener would spin this loop.
        loop.remove(listen_fd);
        accepting = false;
        if (errno == EMFILE || errno == ENFILE) front.log.warn("accept failed: out of file descriptors", {});
        return;
      }
      if (front.draining.load() || front.open.load() >= front.config.max_connections) {
        ::close(fd);  // over the cap: refused at accept, before any TLS work
        continue;
      }
      auto peer = peer_text(ss);
      auto peer_key = front.peers.admit(peer);
      if (!peer_key) {
        ::close(fd);  // this client's own cap
        continue;
      }
      front.open.fetch_add(1);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_shared<Connection>(front, loop, conns, fd, std::move(peer), std::move(*peer_key));
      conns.emplace(c.get(), c);
      c->start();
    }
  }

  void tick() {
    auto now = front.clock.steady_now();
    if (!accepting && !front.draining.load()) accepting = loop.add(listen_fd, EPOLLIN | EPOLLEXCLUSIVE, this);
    if (front.draining.load() && accepting) {
      loop.remove(listen_fd);
      accepting = false;
    }
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(conns.size());
    for (auto& [p, c] : conns) all.push_back(c);
    for (auto& c : all) c->tick(now);
    if (front.draining.load() && (conns.empty() || steady_ns(now) >= front.drain_deadline_ns.load())) {
      for (auto& c : all) c->close_now();
      loop.stop();
    }
  }
};

}  // namespace

struct Server::Impl {
  Front front;
  int listen_fd = -1;
  core::Status tls_status = core::Status::ok();
  std::vector<std::unique_ptr<Loop>> loops;

  Impl(const core::Config& c, core::Logger& l, const core::Clock& k, core::Random& r, const Router& ro)
      : front(c, l, k, r, ro) {}
};

Server::Server(const core::Config& config, core::Logger& log, const core::Clock& clock, core::Random& random,
               const Router& router, std::optional<TlsMaterial> tls)
    : impl_(std::make_unique<Impl>(config, log, clock, random, router)) {
  if (tls) {
    auto made = net::TlsServerConfig::create(tls->cert_pem, tls->key_pem);
    core::secure_zero(tls->key_pem.data(), tls->key_pem.size());
    if (made) impl_->front.tls = std::move(*made);
    else impl_->tls_status = made.status();
  }
}

Server::~Server() {
  if (impl_->listen_fd >= 0) ::close(impl_->listen_fd);
}

core::Result<int> Server::bind() {
  auto& I = *impl_;
  if (!I.tls_status.ok()) return I.tls_status;
  const auto& cfg = I.front.config;
  auto failed = [&] {
    return core::Status::error("bind_failed", "cannot listen on " + cfg.listen_host + ":" +
                                                  std::to_string(cfg.listen_port) + " (in use or not permitted)");
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  auto port_text = std::to_string(cfg.listen_port);
  // The one getaddrinfo left: the listen address, once at start on the main thread before any
  // loop runs (binding, not egress; outbound names go through egress/resolver.h).
  if (::getaddrinfo(cfg.listen_host.c_str(), port_text.c_str(), &hints, &res) != 0 || !res) return failed();
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool ok = fd >= 0 && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 4096) == 0;
  ::freeaddrinfo(res);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return failed();
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  int port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  I.listen_fd = fd;
  return port;
}

core::Status Server::run() {
  auto& I = *impl_;
  if (I.listen_fd < 0) return core::Status::error("listen_failed", "bind() has not succeeded");
  // One loop per core: each runs to completion on its own thread; two cores, two loops.
  int n = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  for (int i = 0; i < n; ++i) I.loops.push_back(std::make_unique<Loop>(I.front, I.listen_fd));
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([&I, i] { I.loops[i]->loop.run(); });
  I.loops[0]->loop.run();
  for (auto& t : threads) t.join();
  // Handlers still running finish now; their posts to the ended loops are dropped.
  I.front.workers.shutdown();
  I.loops.clear();
  ::close(I.listen_fd);
  I.listen_fd = -1;
  return core::Status::ok();
}

void Server::stop() {
  auto& I = *impl_;
  I.front.drain_deadline_ns =
      steady_ns(I.front.clock.steady_now()) +
      std::chrono::nanoseconds(std::chrono::seconds(I.front.config.drain_timeout_s)).count();
  I.front.draining = true;
  // Stop listening at once, so a new connection is refused rather than left waiting in the backlog.
  if (I.listen_fd >= 0) ::shutdown(I.listen_fd, SHUT_RDWR);
}

}  // namespace airlock::http
