#include "egress/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace airlock::egress {
namespace {

struct Range4 {
  std::uint32_t base;
  int bits;
  const char* why;
};

constexpr std::uint32_t ip4(int a, int b, int c, int d) {
  return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | std::uint32_t(d);
}

// Most specific first: the first match names the reason. IANA IPv4 Special-Purpose Address
// Registry, plus the cloud metadata endpoints that sit in otherwise public space.
constexpr Range4 kRefused4[] = {
    {ip4(169, 254, 169, 254), 32, "cloud metadata"},
    {ip4(169, 254, 170, 2), 32, "cloud metadata"},     // ECS task metadata
    {ip4(168, 63, 129, 16), 32, "cloud metadata"},     // Azure WireServer
    {ip4(100, 100, 100, 200), 32, "cloud metadata"},   // Alibaba Cloud
    {ip4(255, 255, 255, 255), 32, "broadcast"},
    {ip4(0, 0, 0, 0), 8, "unspecified (this network)"},
    {ip4(10, 0, 0, 0), 8, "private (RFC 1918)"},
    {ip4(100, 64, 0, 0), 10, "shared address space (CGNAT)"},
    {ip4(127, 0, 0, 0), 8, "loopback"},
    {ip4(169, 254, 0, 0), 16, "link-local"},
    {ip4(172, 16, 0, 0), 12, "private (RFC 1918)"},
    {ip4(192, 0, 0, 0), 24, "reserved (IETF protocol assignments)"},
    {ip4(192, 0, 2, 0), 24, "documentation"},
    {ip4(192, 88, 99, 0), 24, "reserved (6to4 relay anycast)"},
    {ip4(192, 168, 0, 0), 16, "private (RFC 1918)"},
    {ip4(198, 18, 0, 0), 15, "reserved (benchmarking)"},
    {ip4(198, 51, 100, 0), 24, "documentation"},
    {ip4(203, 0, 113, 0), 24, "documentation"},
    {ip4(224, 0, 0, 0), 4, "multicast"},
    {ip4(240, 0, 0, 0), 4, "reserved"},
};

std::optional<Refusal> judge4(std::uint32_t a) {
  for (const auto& r : kRefused4) {
    std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t(0) << (32 - r.bits);
    if ((a & mask) == r.base) return Refusal{r.why};
  }
  return std::nullopt;
}

std::uint32_t word32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

bool prefix(const std::array<std::uint8_t, 16>& b, std::initializer_list<std::uint8_t> head, int bits) {
  // `head` gives the leading bytes; `bits` how many of their bits count.
  int i = 0;
  for (auto h : head) {
    int left = bits - 8 * i;
    if (left <= 0) break;
    std::uint8_t mask = left >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - left));
    if ((b[i] & mask) != (h & mask)) return false;
    ++i;
  }
  return true;
}

bool zeros(const std::array<std::uint8_t, 16>& b, int from, int to) {
  for (int i = from; i < to; ++i)
    if (b[i] != 0) return false;
  return true;
}

std::optional<Refusal> embedded(std::uint32_t v4, const char* via) {
  auto r = judge4(v4);
  if (r) r->via = via;
  return r;
}

std::optional<Refusal> judge6(const std::array<std::uint8_t, 16>& b) {
  if (zeros(b, 0, 15) && b[15] == 0) return Refusal{"unspecified"};
  if (zeros(b, 0, 15) && b[15] == 1) return Refusal{"loopback"};
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT-translated), ::a.b.c.d (compatible).
  if (zeros(b, 0, 10) && b[10] == 0xff && b[11] == 0xff) return embedded(word32(&b[12]), "IPv4-mapped IPv6");
  if (zeros(b, 0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
    return embedded(word32(&b[12]), "IPv4-translated IPv6");
  if (zeros(b, 0, 12)) {
    // Deprecated (RFC 4291) and never routed: refused whatever it carries, named by what it carries.
    if (auto r = embedded(word32(&b[12]), "IPv4-compatible IPv6")) return r;
    return Refusal{"reserved (IPv4-compatible IPv6)"};
  }
  if (prefix(b, {0x00, 0x64, 0xff, 0x9b}, 32) && zeros(b, 4, 12)) return embedded(word32(&b[12]), "NAT64 IPv6");
  // The local-use NAT64 prefix (RFC 8215) is a site's own translator: inside the network by design.
  if (prefix(b, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48)) return Refusal{"local-use NAT64 (RFC 8215)"};
  if (prefix(b, {0x20, 0x02}, 16)) return embedded(word32(&b[2]), "6to4 IPv6");
  if (prefix(b, {0x20, 0x01, 0x00, 0x00}, 32)) {
    // Teredo: the server at bits 32-63, the client (inverted) at bits 96-127. Either may be the target.
    if (auto r = embedded(word32(&b[4]), "Teredo IPv6 (server)")) return r;
    return embedded(~word32(&b[12]), "Teredo IPv6 (client)");
  }
  if (prefix(b, {0xfd, 0x00, 0x0e, 0xc2}, 32) && zeros(b, 4, 14) && b[14] == 0x02 && b[15] == 0x54)
    return Refusal{"cloud metadata"};
  if (prefix(b, {0xfc}, 7)) return Refusal{"unique local (ULA)"};
  if (prefix(b, {0xfe, 0x80}, 10)) return Refusal{"link-local"};
  if (prefix(b, {0xfe, 0xc0}, 10)) return Refusal{"site-local (deprecated)"};
  if (b[0] == 0xff) return Refusal{"multicast"};
  if (prefix(b, {0x20, 0x01, 0x0d, 0xb8}, 32) || prefix(b, {0x3f, 0xff}, 20)) return Refusal{"documentation"};
  if (prefix(b, {0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48)) return Refusal{"reserved (benchmarking)"};
  if (prefix(b, {0x20, 0x01, 0x00, 0x10}, 28) || prefix(b, {0x20, 0x01, 0x00, 0x20}, 28)) return Refusal{"reserved (ORCHID)"};
  // Everything outside 2000::/3 is unassigned or special (discard 100::/64, …).
  if (!prefix(b, {0x20}, 3)) return Refusal{"reserved (not global unicast)"};
  return std::nullopt;
}

}  // namespace

std::string Refusal::text() const { return via ? std::string(range) + " (" + via + ")" : std::string(range); }

std::optional<core::IpAddress> from_sockaddr(const sockaddr* sa, socklen_t len) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in)))
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  else if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6)))
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  else
    return std::nullopt;
  return core::IpAddress::parse(buf);
}

socklen_t to_sockaddr(const core::IpAddress& a, std::uint16_t port, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  if (!a.v4) {
    auto* s = reinterpret_cast<sockaddr_in6*>(out);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
    return sizeof(sockaddr_in6);
  }
  auto* s = reinterpret_cast<sockaddr_in*>(out);
  s->sin_family = AF_INET;
  s->sin_port = htons(port);
  std::memcpy(&s->sin_addr, a.bytes.data() + 12, 4);
  return sizeof(sockaddr_in);
}

std::optional<Refusal> refused_range(const core::IpAddress& a) {
  return a.v4 ? judge4(word32(a.bytes.data() + 12)) : judge6(a.bytes);
}

}  // namespace airlock::egress
