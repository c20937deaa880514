#include "core/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace airlock::core {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  IpAddress ip;
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    ip.v4 = true;
    ip.bytes[10] = 0xff;
    ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, &a4, 4);
    return ip;
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(ip.bytes.data(), &a6, 16);
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    // An IPv4-mapped IPv6 peer (dual-stack socket) is the IPv4 address it carries.
    ip.v4 = std::memcmp(ip.bytes.data(), kMapped, 12) == 0;
    return ip;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::string client_network_key(std::string_view ip) {
  auto parsed = IpAddress::parse(ip);
  if (!parsed) return std::string(ip);
  if (parsed->v4) return parsed->to_string();  // IPv4-mapped IPv6 too
  for (int i = 8; i < 16; ++i) parsed->bytes[i] = 0;
  return parsed->to_string() + "/64";
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  Cidr c;
  auto slash = text.find('/');
  auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  c.base = *ip;
  int max = ip->v4 ? 32 : 128;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    int v = -1;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || v < 0 || v > max) return std::nullopt;
    c.prefix = v;
  }
  IpAddress masked = c.base;
  int bits = c.prefix + (ip->v4 ? 96 : 0);
  for (int i = 0; i < 16; ++i) {
    int keep = bits - i * 8;
    std::uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
    masked.bytes[i] &= mask;
  }
  if (masked.bytes != c.base.bytes) return std::nullopt;  // "10.0.0.1/8" is almost always a typo
  return c;
}

bool Cidr::contains(const IpAddress& ip) const {
  if (ip.v4 != base.v4) return false;
  int bits = prefix + (base.v4 ? 96 : 0);
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((ip.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(prefix); }

std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string* error) {
  std::vector<Cidr> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto c = Cidr::parse(item);
      if (!c) {
        if (error) *error = "'" + std::string(item) + "' is not an IP address or CIDR network with zero host bits";
        return std::nullopt;
      }
      out.push_back(*c);
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

}  // namespace airlock::core
