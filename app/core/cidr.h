#pragma once
// IPv4/IPv6 networks for trusted proxies (and, later, key IP allowlists). Addresses are parsed with
// inet_pton only: the decimal, octal and hex spellings that inet_aton accepts ("127.1", "0x7f.1")
// are refused, so one address has one spelling.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::core {

struct IpAddress {
  // IPv4 is stored as an IPv4-mapped IPv6 address (::ffff:a.b.c.d) so one comparison serves both.
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
};

struct Cidr {
  IpAddress base;
  int prefix = 0;  // in bits of the address's own family
  // "10.0.0.0/8", "2001:db8::/32", or a bare address (a host network). Host bits must be zero.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& ip) const;
  std::string to_string() const;
};

// Who a client is, for counting: the IPv4 address, or the /64 an IPv6 address is in ("2001:db8::/64"):
// one host usually holds a whole /64, so counting single IPv6 addresses counts nothing. Text that
// is not an address is returned as it is.
std::string client_network_key(std::string_view ip);

// Comma-separated list; returns nullopt and names the bad entry in `error`.
std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string* error);

}  // namespace airlock::core
