#pragma once
// A destination URL (a provider's base URL; later webhook and syslog targets), read by one set of
// rules so that what is checked is exactly what is dialled. No spelling another parser might read
// differently is accepted (the rules and their bypass spellings: SECURITY.md "Egress"):
//   - scheme `https` or `http`, lower case;
//   - host: a DNS name (ASCII labels of a-z 0-9 -, 1-63 each, 253 in all, no trailing dot; upper
//     case is folded), a canonical dotted quad, or [IPv6]. Numeric spellings of IPv4 other than
//     the dotted quad (127.1, 2130706433, 0x7f000001, 0177.0.0.1), percent-encoding, zones and
//     non-ASCII names (write the xn-- form) are refused;
//   - no userinfo, query, fragment, backslash, whitespace or control character anywhere;
//   - port 1-65535 in decimal without leading zeros;
//   - the path is kept (trailing slashes dropped) and only ever used as a request-target prefix.
#include <cstdint>
#include <optional>
#include <string>

#include "egress/address.h"

namespace airlock::egress {

struct Url {
  std::string scheme;     // http | https
  std::string host;       // lower case, without brackets
  int port = 0;
  std::string base_path;  // "" or "/v1" (no trailing slash)
  std::optional<core::IpAddress> ip;  // set when the host is an IP literal
  bool bracketed = false;             // written as [IPv6]

  // scheme://host:port, IPv6 in brackets.
  std::string origin() const;
  // host or [IPv6], with :port unless it is the scheme's default (the Host header).
  std::string authority() const;
};

// nullopt + `*error` (a sentence naming the problem) for anything else.
std::optional<Url> parse_url(const std::string& text, std::string* error);

}  // namespace airlock::egress
