#pragma once
// Where Airlock may connect on someone's behalf. Public addresses are open; everything
// refused_range() names is closed unless the host operator opens it, by
//   - AIRLOCK_EGRESS_ALLOW: a list of `name:port`, `address:port`, `CIDR:port` or `CIDR`
//     (IPv6 in brackets: `[fd00::/8]:443`); a name entry allows whatever that name resolves to on
//     that port, a network entry the addresses inside it;
//   - "internal": true on a provider in the provisioning file (the operator's own file), which
//     skips this policy for that provider.
// Console admins and API tokens can neither edit the list nor mark a provider internal, so they
// can only point providers at destinations this policy accepts. Through the egress proxy, names
// that only mean something inside a network (one label; .local, .internal, .lan, .corp, …) are
// refused unless listed: the proxy would resolve them there. The policy is asked twice: when a
// URL is saved (check_url: the literal, the scheme, "localhost") and for every address a name
// resolves to when connecting (check_address), so a name that later resolves inward is caught.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "egress/proxy.h"
#include "egress/url.h"

namespace airlock::egress {

struct AllowEntry {
  std::string name;               // a DNS name (lower case), or empty for a network entry
  std::optional<core::Cidr> net;  // a network entry
  int port = 0;                   // 0: any port (network entries only)
  std::string text;               // as the operator wrote it, for messages
};

// Parses the AIRLOCK_EGRESS_ALLOW value (entries separated by commas or white space). nullopt and
// `*error` naming the first bad entry.
std::optional<std::vector<AllowEntry>> parse_allowlist(std::string_view text, std::string* error);

// Entries that open more than they may seem to: cloud metadata, every address an IPv6
// translation prefix carries (127/8 included), or all ports of a network. Said at start.
std::vector<std::string> allowlist_warnings(const std::vector<AllowEntry>& allow);

class Policy {
 public:
  Policy() = default;
  explicit Policy(std::vector<AllowEntry> allow, ProxySettings proxy = {})
      : allow_(std::move(allow)), proxy_(std::move(proxy)) {}

  // nullopt when a provider that is not operator-internal may use `url`; else why not (a sentence).
  std::optional<std::string> check_url(const Url& url) const;
  // nullopt when `url`'s connection may go to `a` (one of its host's addresses); else why not.
  std::optional<std::string> check_address(const Url& url, const core::IpAddress& a) const;
  const std::vector<AllowEntry>& allowlist() const { return allow_; }
  // The egress proxy, or null when connections go direct.
  const ProxySettings* proxy() const { return proxy_.proxy ? &proxy_ : nullptr; }

 private:
  bool allows_name(const std::string& host, int port) const;
  bool allows_address(const core::IpAddress& a, int port) const;
  std::vector<AllowEntry> allow_;
  ProxySettings proxy_;
};

// No allowlist: public destinations only.
const Policy& default_policy();

}  // namespace airlock::egress
