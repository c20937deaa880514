#pragma once
// A scripted DNS server for egress tests: UDP on a loopback address, answering A queries for the
// names it is given (one answer list per query, in order, the last one repeating), with a TTL and
// an optional delay; AAAA gets an empty answer, any other name NXDOMAIN. Counts the A queries per
// name, known or not. Airlock reaches it through a test resolv.conf bound over /etc/resolv.conf in a mount
// namespace (harness AIRLOCK_TEST_MOUNTS).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace airlock::testing {

class DnsServer {
 public:
  struct Name {
    std::vector<std::vector<std::string>> answers;  // IPv4 addresses per query
    std::uint32_t ttl = 300;
    std::chrono::milliseconds delay{0};
  };

  // Binds `ip`:53 (root); false when it cannot.
  bool start(const std::string& ip) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return false;
    thread_ = std::thread([this] { loop(); });
    return true;
  }
  ~DnsServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& t : delayed_) t.join();
    if (fd_ >= 0) ::close(fd_);
  }

  void set(const std::string& name, Name n) {
    std::lock_guard<std::mutex> lock(mu_);
    names_[name] = std::move(n);
  }
  int queries(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return asked_[name];
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      std::uint8_t buf[512];
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      auto n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 17) continue;
      std::string name;
      std::size_t i = 12;
      while (i < static_cast<std::size_t>(n) && buf[i] != 0) {
        std::size_t len = buf[i];
        if (i + 1 + len > static_cast<std::size_t>(n)) break;
        if (!name.empty()) name += '.';
        for (std::size_t k = 0; k < len; ++k) name += static_cast<char>(std::tolower(buf[i + 1 + k]));
        i += 1 + len;
      }
      if (i + 5 > static_cast<std::size_t>(n)) continue;
      std::uint16_t qtype = static_cast<std::uint16_t>(buf[i + 1] << 8 | buf[i + 2]);
      std::size_t question_end = i + 5;
      std::vector<std::string> ips;
      std::uint32_t ttl = 0;
      std::chrono::milliseconds delay{0};
      bool known = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        int k = qtype == 1 ? asked_[name]++ : 0;  // A queries are counted, known name or not
        auto it = names_.find(name);
        if (it != names_.end()) {
          known = true;
          ttl = it->second.ttl;
          delay = it->second.delay;
          auto& list = it->second.answers;
          if (qtype == 1 && !list.empty()) ips = list[std::min<std::size_t>(k, list.size() - 1)];
        }
      }
      std::vector<std::uint8_t> out(buf, buf + question_end);
      out[2] = 0x81;  // QR, RD
      out[3] = known ? 0x80 : 0x83;  // RA; NOERROR or NXDOMAIN
      out[6] = 0;
      out[7] = static_cast<std::uint8_t>(ips.size());
      out[8] = out[9] = out[10] = out[11] = 0;  // no authority, no additional (the query's OPT dropped)
      for (const auto& ip : ips) {
        std::uint8_t addr[4];
        inet_pton(AF_INET, ip.c_str(), addr);
        std::uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, std::uint8_t(ttl >> 24), std::uint8_t(ttl >> 16), std::uint8_t(ttl >> 8),
                             std::uint8_t(ttl), 0, 4, addr[0], addr[1], addr[2], addr[3]};
        out.insert(out.end(), rr, rr + sizeof rr);
      }
      if (delay.count() > 0) {
        delayed_.emplace_back([this, out, from, from_len, delay] {
          std::this_thread::sleep_for(delay);  // the slow resolver under test, not a test waiting
          ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&from), from_len);
        });
      } else {
        ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
      }
    }
  }

  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> delayed_;
  std::mutex mu_;
  std::map<std::string, Name> names_;
  std::map<std::string, int> asked_;
};

// Accepts TCP connections on ip:port and counts them (closing each at once): proof of whether
// Airlock dialled an address at all.
class AcceptCounter {
 public:
  bool start(const std::string& ip, int port = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 64) != 0) return false;
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          ++accepted_;
          ::close(c);
        }
      }
    });
    return true;
  }
  ~AcceptCounter() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace airlock::testing
