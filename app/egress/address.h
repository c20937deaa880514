#pragma once
// An IP address as egress judges it, and the ranges Airlock never dials on its own: loopback,
// private, shared, link-local (cloud metadata), unique-local, multicast, broadcast, reserved and
// documentation space. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4,
// Teredo) are judged by the IPv4 address inside, so no spelling of 127.0.0.1 gets through.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/cidr.h"

namespace airlock::egress {

// core::IpAddress keeps IPv4 as ::ffff:a.b.c.d with v4 set; an IPv4-mapped IPv6 answer is that
// same address (and is dialled as IPv4).
std::optional<core::IpAddress> from_sockaddr(const sockaddr* sa, socklen_t len);
// With `port`, ready for connect().
socklen_t to_sockaddr(const core::IpAddress& a, std::uint16_t port, sockaddr_storage* out);

struct Refusal {
  const char* range;          // "loopback", "cloud metadata", "private (RFC 1918)", …
  const char* via = nullptr;  // the IPv6 form carrying a refused IPv4 address, e.g. "IPv4-mapped"
  std::string text() const;   // "loopback" or "loopback (IPv4-mapped IPv6)"
};

// Why `a` is not a public destination, or nullopt when it is.
std::optional<Refusal> refused_range(const core::IpAddress& a);

}  // namespace airlock::egress
