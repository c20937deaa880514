#pragma once
// A TLS syslog receiver for integration tests (RFC 5425): listens on 127.0.0.1, serves one
// connection at a time with the given certificate (Airlock's own server TLS config), and splits
// what arrives into octet-counted messages. It also keeps every byte received before decryption,
// so a test can show that nothing reached it in clear text.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace airlock::net {
class TlsServerConfig;
}

namespace airlock::testing {

class SyslogListener {
 public:
  // `port` 0 picks a free port; passing an earlier listener's port "restarts" that receiver.
  static std::unique_ptr<SyslogListener> start(const std::string& cert_pem, const std::string& key_pem, int port = 0);
  ~SyslogListener();  // stop()
  SyslogListener(const SyslogListener&) = delete;
  SyslogListener& operator=(const SyslogListener&) = delete;

  int port() const { return port_; }
  // Closes the listening socket and the open connection (bytes not yet read are dropped).
  void stop();

  std::vector<std::string> messages() const;  // SYSLOG-MSGs in arrival order
  std::string raw() const;                    // every byte received on every connection
  int handshakes() const { return handshakes_; }
  int failed_handshakes() const { return failed_handshakes_; }
  bool framing_error() const { return framing_error_; }
  // Waits until `pred(messages())` holds; false at the timeout.
  bool wait_until(const std::function<bool(const std::vector<std::string>&)>& pred, std::chrono::milliseconds timeout);
  bool wait_for_failed_handshake(std::chrono::milliseconds timeout);

 private:
  SyslogListener() = default;
  void accept_loop();
  void serve(int fd);
  void take_frames(std::string& buf);

  std::unique_ptr<net::TlsServerConfig> tls_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> failed_handshakes_{0};
  std::atomic<bool> framing_error_{false};
  mutable std::mutex mu_;
  std::vector<std::string> messages_;
  std::string raw_;
  std::thread thread_;
};

}  // namespace airlock::testing
