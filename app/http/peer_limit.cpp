#include "http/peer_limit.h"

namespace airlock::http {

std::optional<std::string> PeerLimit::admit(const std::string& peer_ip) {
  if (auto ip = core::IpAddress::parse(peer_ip))
    for (const auto& net : exempt_)
      if (net.contains(*ip)) return std::string();
  auto key = core::client_network_key(peer_ip);
  std::lock_guard lock(mu_);
  auto& n = open_[key];
  if (n >= max_) {
    if (n == 0) open_.erase(key);
    return std::nullopt;
  }
  ++n;
  return key;
}

void PeerLimit::release(const std::string& key) {
  if (key.empty()) return;
  std::lock_guard lock(mu_);
  auto it = open_.find(key);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

int PeerLimit::open(const std::string& peer_ip) const {
  std::lock_guard lock(mu_);
  auto it = open_.find(core::client_network_key(peer_ip));
  return it == open_.end() ? 0 : it->second;
}

}  // namespace airlock::http
