#pragma once
// One TLS connection to a syslog receiver, on a blocking socket owned by the forwarder's thread
// (audit/syslog_forwarder.h). The event loop's TLS client (net/tls_stream.h) is built for
// non-blocking sockets; a dedicated thread is simpler with blocking calls bounded by timeouts.
//
// The mbedTLS config comes from net::TlsClientConfig: VERIFY_REQUIRED against the configured CA
// and the client TLS policy. The target host is always set as the name to check (a DNS SAN, or an
// IP SAN for an IP literal), so a certificate that does not verify ends the handshake before a
// single application byte is written.
#include <mbedtls/ssl.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "core/result.h"

namespace airlock::audit {

class SyslogConnection {
 public:
  using Pause = std::function<bool(std::chrono::milliseconds)>;  // false: stop waiting (shutdown)

  // `conf` must outlive the connection.
  explicit SyslogConnection(const mbedtls_ssl_config* conf);
  ~SyslogConnection();  // close_notify (best effort), then close
  SyslogConnection(const SyslogConnection&) = delete;
  SyslogConnection& operator=(const SyslogConnection&) = delete;

  // Tries each of `addresses` (what `host` resolved to), handshakes with `host` checked against
  // the certificate. Call once. Errors: "syslog_unreachable" (connect, timeout) and "syslog_tls"
  // (handshake, verification); the message is a reason fit for the log.
  core::Status open(const std::string& host, const std::vector<core::IpAddress>& addresses, int port,
                    std::chrono::milliseconds timeout);
  // Writes every byte or fails ("syslog_send").
  core::Status write_all(std::string_view bytes);
  // Without blocking: whether the receiver has closed, reset or sent a fatal alert. TLS
  // housekeeping (session tickets) is handled; application data, which RFC 5425 never has a
  // receiver send, is read and dropped.
  bool peer_closed();
  // Waits (through `pause`) until the receiver's TCP has acknowledged every byte written while
  // the connection stays established. False on a closed connection, at `timeout`, or when
  // `pause` says stop.
  bool wait_acknowledged(std::chrono::milliseconds timeout, const Pause& pause);
  // From any thread: makes blocking calls in open/write_all return with an error.
  void interrupt();

 private:
  static int send_cb(void* self, const unsigned char* buf, std::size_t len);
  static int recv_cb(void* self, unsigned char* buf, std::size_t len);
  core::Status connect_any(const std::vector<core::IpAddress>& addresses, int port, std::chrono::milliseconds timeout);
  void close_fd();

  std::mutex mu_;  // guards fd_ against interrupt() while the thread opens or closes it
  int fd_ = -1;
  bool interrupted_ = false;
  bool dont_wait_ = false;  // recv_cb: MSG_DONTWAIT for peer_closed()
  bool handshaken_ = false;
  mbedtls_ssl_context ssl_;
};

}  // namespace airlock::audit
