#include <arpa/inet.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <chrono>
#include <thread>

#include "net/tls_stream.h"
#include "support/syslog_listener.h"

namespace airlock::testing {
namespace {

using namespace std::chrono_literals;

struct Io {
  int fd;
  std::string* raw;
  std::mutex* mu;
};

int send_cb(void* ctx, const unsigned char* buf, std::size_t len) {
  auto* io = static_cast<Io*>(ctx);
  auto n = ::send(io->fd, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  return errno == EAGAIN || errno == EWOULDBLOCK ? MBEDTLS_ERR_SSL_WANT_WRITE : MBEDTLS_ERR_NET_SEND_FAILED;
}

int recv_cb(void* ctx, unsigned char* buf, std::size_t len) {
  auto* io = static_cast<Io*>(ctx);
  auto n = ::recv(io->fd, buf, len, 0);
  if (n > 0) {
    std::lock_guard lock(*io->mu);
    io->raw->append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
  }
  if (n >= 0) return static_cast<int>(n);
  return errno == EAGAIN || errno == EWOULDBLOCK ? MBEDTLS_ERR_SSL_WANT_READ : MBEDTLS_ERR_NET_RECV_FAILED;
}

// Waits for the direction mbedTLS asked for; false when stopping.
bool wait_io(int fd, int rc, const std::atomic<bool>& stopping) {
  pollfd p{fd, static_cast<short>(rc == MBEDTLS_ERR_SSL_WANT_WRITE ? POLLOUT : POLLIN), 0};
  while (!stopping) {
    if (::poll(&p, 1, 20) != 0) return true;
  }
  return false;
}

}  // namespace

std::unique_ptr<SyslogListener> SyslogListener::start(const std::string& cert_pem, const std::string& key_pem, int port) {
  std::unique_ptr<SyslogListener> l(new SyslogListener());
  auto tls = net::TlsServerConfig::create(cert_pem, key_pem);
  REQUIRE(tls);
  l->tls_ = std::move(*tls);
  l->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  REQUIRE(l->listen_fd_ >= 0);
  int one = 1;
  ::setsockopt(l->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // A restart on the same port can find it briefly taken: it came from the ephemeral range, which
  // any new outgoing socket on the box draws from too. Retry for up to 10 s.
  int bound = -1;
  for (int i = 0; i < 400 && bound != 0; ++i) {
    bound = ::bind(l->listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (bound != 0 && port != 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    else if (bound != 0) break;
  }
  REQUIRE(bound == 0);
  REQUIRE(::listen(l->listen_fd_, 8) == 0);
  socklen_t len = sizeof a;
  ::getsockname(l->listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  l->port_ = ntohs(a.sin_port);
  l->thread_ = std::thread([p = l.get()] { p->accept_loop(); });
  return l;
}

SyslogListener::~SyslogListener() { stop(); }

void SyslogListener::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void SyslogListener::accept_loop() {
  pollfd p{listen_fd_, POLLIN, 0};
  while (!stopping_) {
    if (::poll(&p, 1, 20) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    serve(fd);
    ::close(fd);
  }
}

void SyslogListener::serve(int fd) {
  Io io{fd, &raw_, &mu_};
  mbedtls_ssl_context ssl;
  mbedtls_ssl_init(&ssl);
  mbedtls_ssl_setup(&ssl, tls_->conf());
  mbedtls_ssl_set_bio(&ssl, &io, send_cb, recv_cb, nullptr);
  int rc;
  while ((rc = mbedtls_ssl_handshake(&ssl)) != 0) {
    bool again = rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE;
    if (!again || !wait_io(fd, rc, stopping_)) break;
  }
  if (rc != 0) {
    // Whatever the client sends after refusing us is kept too: it must not be the payload in clear.
    char buf[4096];
    for (int i = 0; i < 10; ++i) {
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        std::lock_guard lock(mu_);
        raw_.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0) {
        break;
      } else {
        std::this_thread::sleep_for(20ms);
      }
    }
    ++failed_handshakes_;
    mbedtls_ssl_free(&ssl);
    return;
  }
  ++handshakes_;
  std::string plain;
  unsigned char buf[4096];
  while (!stopping_) {
    rc = mbedtls_ssl_read(&ssl, buf, sizeof buf);
    if (rc > 0) {
      plain.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(rc));
      take_frames(plain);
      continue;
    }
    if ((rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE) || !wait_io(fd, rc, stopping_)) break;
  }
  mbedtls_ssl_free(&ssl);
}

// SYSLOG-FRAME = MSG-LEN SP SYSLOG-MSG, MSG-LEN = NONZERO-DIGIT *DIGIT (RFC 5425 §4.3).
void SyslogListener::take_frames(std::string& buf) {
  for (;;) {
    auto sp = buf.find(' ');
    if (sp == std::string::npos) {
      if (buf.size() > 10) framing_error_ = true;
      return;
    }
    bool digits = sp > 0 && sp <= 10 && buf[0] != '0' && buf.find_first_not_of("0123456789") == sp;
    if (!digits) {
      framing_error_ = true;
      buf.clear();
      return;
    }
    auto len = std::stoul(buf.substr(0, sp));
    if (buf.size() < sp + 1 + len) return;
    std::lock_guard lock(mu_);
    messages_.push_back(buf.substr(sp + 1, len));
    buf.erase(0, sp + 1 + len);
  }
}

std::vector<std::string> SyslogListener::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

std::string SyslogListener::raw() const {
  std::lock_guard lock(mu_);
  return raw_;
}

bool SyslogListener::wait_until(const std::function<bool(const std::vector<std::string>&)>& pred,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred(messages())) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

bool SyslogListener::wait_for_failed_handshake(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (failed_handshakes_ == 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace airlock::testing
