#include "http/client_ip.h"

namespace airlock::http {
namespace {

bool trusted(const core::IpAddress& ip, const std::vector<core::Cidr>& proxies) {
  for (const auto& c : proxies)
    if (c.contains(ip)) return true;
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string resolve_client_ip(std::string_view peer, std::string_view xff, const std::vector<core::Cidr>& proxies) {
  auto peer_ip = core::IpAddress::parse(peer);
  std::string current = peer_ip ? peer_ip->to_string() : std::string(peer);
  if (!peer_ip || xff.empty() || !trusted(*peer_ip, proxies)) return current;
  std::size_t end = xff.size();
  for (;;) {
    // At the list's start there is no comma left to find (rfind(',', 0) would find a leading one
    // again, and the hop's length would wrap around: an endless loop, found by fuzzing).
    auto comma = end == 0 ? std::string_view::npos : xff.rfind(',', end - 1);
    std::size_t begin = comma == std::string_view::npos ? 0 : comma + 1;
    auto hop = core::IpAddress::parse(trim(xff.substr(begin, end - begin)));
    if (!hop) return current;
    current = hop->to_string();
    if (!trusted(*hop, proxies) || comma == std::string_view::npos) return current;
    end = comma;
  }
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace airlock::http
