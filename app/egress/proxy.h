#pragma once
// An HTTPS CONNECT proxy for networks where only a proxy reaches the internet
// (AIRLOCK_EGRESS_PROXY=http://host:port, credentials from AIRLOCK_EGRESS_PROXY_CREDENTIALS or its
// _FILE, AIRLOCK_EGRESS_NO_PROXY for destinations reached directly). Through the proxy Airlock
// opens a tunnel with CONNECT and runs TLS to the provider inside it, verified as on a direct
// connection. The egress policy judges the destination as Airlock knows it (its URL: scheme, name,
// literal address); the proxy resolves the name, and the proxy's own address is the operator's
// choice, not judged.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "egress/url.h"

namespace airlock::egress {

struct NoProxyEntry {
  std::string name;               // matches the name and every name under it ("corp.example")
  std::optional<core::Cidr> net;  // matches literal hosts inside it
  std::string text;
};

// "http://host:port" only: a proxy spoken to in the clear (the tunnel carries TLS), no path.
std::optional<Url> parse_proxy_url(const std::string& text, std::string* error);
// Names (a leading dot is allowed and ignored), addresses and CIDRs, comma or space separated.
std::optional<std::vector<NoProxyEntry>> parse_no_proxy(std::string_view text, std::string* error);

struct ProxySettings {
  std::optional<Url> proxy;
  std::string credentials;  // "user:password"; empty: none (a secret: never logged)
  std::vector<NoProxyEntry> no_proxy;

  // Whether connections to `target` go through the proxy.
  bool routes(const Url& target) const;
  // The CONNECT request for `target`, with Proxy-Authorization when credentials are set.
  std::string connect_head(const Url& target) const;
};

}  // namespace airlock::egress
