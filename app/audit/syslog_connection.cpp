#include "audit/syslog_connection.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "egress/address.h"

namespace airlock::audit {
namespace {

using core::Status;

std::string os_error(int err) { return std::error_code(err, std::system_category()).message(); }

// mbedTLS's verify text is one line per problem, each ending in '\n'.
std::string verify_reason(std::uint32_t flags) {
  char buf[512];
  int n = mbedtls_x509_crt_verify_info(buf, sizeof buf, "", flags);
  std::string out;
  for (char c : std::string_view(buf, n > 0 ? static_cast<std::size_t>(n) : 0)) {
    if (c != '\n') out += c;
    else out += "; ";
  }
  while (out.size() >= 2 && out.compare(out.size() - 2, 2, "; ") == 0) out.resize(out.size() - 2);
  return out.empty() ? "certificate not accepted" : out;
}

void set_blocking_with_timeouts(int fd, std::chrono::milliseconds timeout) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

SyslogConnection::SyslogConnection(const mbedtls_ssl_config* conf) {
  mbedtls_ssl_init(&ssl_);
  // Setup only fails on allocation; open() then fails at the handshake.
  mbedtls_ssl_setup(&ssl_, conf);
}

SyslogConnection::~SyslogConnection() {
  if (handshaken_) mbedtls_ssl_close_notify(&ssl_);
  mbedtls_ssl_free(&ssl_);
  close_fd();
}

int SyslogConnection::send_cb(void* p, const unsigned char* buf, std::size_t len) {
  auto* self = static_cast<SyslogConnection*>(p);
  auto n = ::send(self->fd_, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  // On this blocking socket EAGAIN means SO_SNDTIMEO passed; callers treat "want" as failure.
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
  return MBEDTLS_ERR_NET_SEND_FAILED;
}

int SyslogConnection::recv_cb(void* p, unsigned char* buf, std::size_t len) {
  auto* self = static_cast<SyslogConnection*>(p);
  auto n = ::recv(self->fd_, buf, len, self->dont_wait_ ? MSG_DONTWAIT : 0);
  if (n >= 0) return static_cast<int>(n);  // 0: the peer closed
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_READ;
  return MBEDTLS_ERR_NET_RECV_FAILED;
}

Status SyslogConnection::connect_any(const std::vector<core::IpAddress>& addresses, int port,
                                     std::chrono::milliseconds timeout) {
  std::string last = "no address";
  for (const auto& ip : addresses) {
    sockaddr_storage addr{};
    socklen_t addr_len = egress::to_sockaddr(ip, static_cast<std::uint16_t>(port), &addr);
    int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      last = os_error(errno);
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (interrupted_) {
        ::close(fd);
        return Status::error("syslog_unreachable", "stopping");
      }
      fd_ = fd;
    }
    int err = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), addr_len) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      int n = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
      socklen_t len = sizeof err;
      if (n == 0) err = ETIMEDOUT;
      else if (n < 0) err = errno;
      else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
    if (err == 0) {
      set_blocking_with_timeouts(fd, timeout);
      return Status::ok();
    }
    last = os_error(err);
    close_fd();
  }
  return Status::error("syslog_unreachable", "cannot connect: " + last);
}

Status SyslogConnection::open(const std::string& host, const std::vector<core::IpAddress>& addresses, int port,
                              std::chrono::milliseconds timeout) {
  if (auto s = connect_any(addresses, port, timeout); !s) return s;
  // The name checked against the certificate (RFC 6125); for an IP literal mbedTLS matches IP SANs
  // and sends no SNI.
  if (mbedtls_ssl_set_hostname(&ssl_, host.c_str()) != 0) return Status::error("syslog_tls", "TLS could not be set up");
  mbedtls_ssl_set_bio(&ssl_, this, send_cb, recv_cb, nullptr);
  int rc = mbedtls_ssl_handshake(&ssl_);
  if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
    return Status::error("syslog_tls", "receiver certificate refused: " + verify_reason(mbedtls_ssl_get_verify_result(&ssl_)));
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
    return Status::error("syslog_tls", "TLS handshake timed out");
  if (rc != 0) {
    char code[16];
    std::snprintf(code, sizeof code, "-0x%04x", static_cast<unsigned>(-rc));
    return Status::error("syslog_tls", std::string("TLS handshake failed (mbedTLS ") + code + ")");
  }
  handshaken_ = true;
  return Status::ok();
}

Status SyslogConnection::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    int n = mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    // "Want" on a blocking socket is the send timeout; the connection is dropped either way.
    if (n <= 0) return Status::error("syslog_send", n == MBEDTLS_ERR_SSL_WANT_WRITE ? "send timed out" : "send failed");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok();
}

bool SyslogConnection::peer_closed() {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, 0) <= 0) return false;
  dont_wait_ = true;
  unsigned char buf[512];
  int rc;
  while ((rc = mbedtls_ssl_read(&ssl_, buf, sizeof buf)) > 0) {
  }
  dont_wait_ = false;
  return rc != MBEDTLS_ERR_SSL_WANT_READ;
}

bool SyslogConnection::wait_acknowledged(std::chrono::milliseconds timeout, const Pause& pause) {
  using namespace std::chrono_literals;
  auto waited = 0ms;
  for (;;) {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 || info.tcpi_state != TCP_ESTABLISHED) return false;
    // SIOCOUTQ on TCP: bytes written but not yet acknowledged by the peer (write_seq - snd_una).
    int unacked = 0;
    if (::ioctl(fd_, SIOCOUTQ, &unacked) != 0) return false;
    if (unacked == 0) return true;
    if (waited >= timeout || !pause(2ms)) return false;
    waited += 2ms;
  }
}

void SyslogConnection::interrupt() {
  std::lock_guard lock(mu_);
  interrupted_ = true;
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void SyslogConnection::close_fd() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace airlock::audit
