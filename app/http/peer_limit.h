#pragma once
// Open connections per client network (IPv4 address, IPv6 /64), shared by every event loop: one
// client cannot take all of AIRLOCK_MAX_CONNECTIONS. Counted by the socket peer at accept, before
// any TLS work; a trusted proxy's many clients arrive from its one address, so it is exempt.
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/cidr.h"

namespace airlock::http {

class PeerLimit {
 public:
  PeerLimit(int max_per_peer, std::vector<core::Cidr> exempt) : max_(max_per_peer), exempt_(std::move(exempt)) {}

  // The key to release() when the connection ends ("" for an exempt peer), or nullopt when this
  // network is at its cap (close the connection).
  std::optional<std::string> admit(const std::string& peer_ip);
  void release(const std::string& key);
  int open(const std::string& peer_ip) const;

 private:
  int max_;
  std::vector<core::Cidr> exempt_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> open_;
};

}  // namespace airlock::http
