#include "egress/policy.h"

#include <algorithm>

#include "core/text.h"
#include "egress/address.h"

namespace airlock::egress {
namespace {

constexpr const char* kHowToOpen = "the host operator can allow it in AIRLOCK_EGRESS_ALLOW";

std::optional<int> port_of(std::string_view text) {
  if (text.empty() || text.size() > 5 || text[0] == '0' || text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  int p = 0;
  for (char c : text) p = p * 10 + (c - '0');
  if (p < 1 || p > 65535) return std::nullopt;
  return p;
}

// RFC 6762 (Appendix G: names used privately), RFC 8375 (home.arpa), ICANN's .internal.
bool private_use_name(std::string_view host) {
  if (host.find('.') == std::string_view::npos) return true;  // one label: the resolver's search list decides
  for (std::string_view tld : {".local", ".localdomain", ".internal", ".intranet", ".lan", ".home", ".home.arpa", ".corp",
                               ".private"})
    if (host.size() > tld.size() && host.substr(host.size() - tld.size()) == tld) return true;
  return false;
}

bool is_localhost(std::string_view host) {
  return host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost");
}

std::optional<AllowEntry> parse_entry(std::string_view e, std::string* why) {
  AllowEntry out;
  out.text = std::string(e);
  std::string_view host, port;
  bool has_port = false;
  if (e.front() == '[') {
    auto close = e.find(']');
    if (close == std::string_view::npos) return *why = "has an unclosed '['", std::nullopt;
    host = e.substr(1, close - 1);
    auto rest = e.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return *why = "has junk after ']'", std::nullopt;
      port = rest.substr(1);
      has_port = true;
    }
    if (host.find(':') == std::string_view::npos) return *why = "brackets are for IPv6 only", std::nullopt;
  } else {
    auto colons = std::count(e.begin(), e.end(), ':');
    if (colons > 1) return *why = "write an IPv6 address or network in brackets: [fd00::/8]:443", std::nullopt;
    auto colon = e.find(':');
    host = e.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = e.substr(colon + 1);
      has_port = true;
    }
  }
  if (has_port) {
    auto p = port_of(port);
    if (!p) return *why = "has a port outside 1-65535", std::nullopt;
    out.port = *p;
  }
  bool numeric = !host.empty() && host.find_first_not_of("0123456789./") == std::string_view::npos;
  if (numeric || host.find(':') != std::string_view::npos) {
    out.net = core::Cidr::parse(host);
    if (!out.net) return *why = "is not an IP address or network (a.b.c.d, a.b.c.d/n, [IPv6], [IPv6/n]; host bits zero)", std::nullopt;
    return out;
  }
  // A name: checked by the URL rules, so it matches the one spelling a URL can have.
  std::string err;
  auto u = parse_url("https://" + std::string(host), &err);
  if (!u || host.find('/') != std::string_view::npos)
    return *why = "is not a DNS name: the host " + (u ? std::string("has a '/'") : err), std::nullopt;
  if (!has_port) return *why = "names a host without a port (write name:port)", std::nullopt;
  out.name = u->host;
  return out;
}

}  // namespace

std::optional<std::vector<AllowEntry>> parse_allowlist(std::string_view text, std::string* error) {
  std::vector<AllowEntry> out;
  for (auto e : core::list_items(text)) {
    std::string why;
    auto entry = parse_entry(e, &why);
    if (!entry) {
      *error = "'" + std::string(e.substr(0, 80)) + "' " + why;
      return std::nullopt;
    }
    if (out.size() >= 1000) {
      *error = "has more than 1000 entries";
      return std::nullopt;
    }
    out.push_back(std::move(*entry));
  }
  return out;
}

std::vector<std::string> allowlist_warnings(const std::vector<AllowEntry>& allow) {
  std::vector<std::string> out;
  for (const auto& e : allow) {
    if (!e.net) continue;
    for (const char* meta : {"169.254.169.254", "fd00:ec2::254", "169.254.170.2"})
      if (e.net->contains(*core::IpAddress::parse(meta))) {
        out.push_back("'" + e.text + "' opens the cloud metadata address " + meta);
        break;
      }
    for (const char* prefix : {"64:ff9b::", "2002::", "2001::", "::ffff:0:0"}) {
      auto inside = core::IpAddress::parse(prefix);
      if (e.net->contains(*inside) && !e.net->base.v4) {
        out.push_back("'" + e.text + "' opens an IPv6 translation prefix, and with it the IPv4 addresses it carries");
        break;
      }
    }
    if (e.port == 0) out.push_back("'" + e.text + "' opens every port of " + e.net->to_string() + ", plain http included");
  }
  return out;
}

bool Policy::allows_name(const std::string& host, int port) const {
  for (const auto& e : allow_)
    if (!e.name.empty() && e.name == host && e.port == port) return true;
  return false;
}

bool Policy::allows_address(const core::IpAddress& a, int port) const {
  for (const auto& e : allow_)
    if (e.net && e.net->contains(a) && (e.port == 0 || e.port == port)) return true;
  return false;
}

std::optional<std::string> Policy::check_url(const Url& url) const {
  bool listed = allows_name(url.host, url.port) || (url.ip && allows_address(*url.ip, url.port));
  if (url.ip && !listed)
    if (auto r = refused_range(*url.ip)) return url.host + " is " + r->text() + ": not a destination Airlock connects to (" + kHowToOpen + ")";
  if (is_localhost(url.host) && !listed) return url.host + " is loopback: not a destination Airlock connects to (" + std::string(kHowToOpen) + ")";
  if (!url.ip && !listed && proxy_.routes(url) && private_use_name(url.host))
    return url.host + " is a private-use name that the egress proxy would resolve inside its network: not a destination "
                      "Airlock connects to (" + std::string(kHowToOpen) + ")";
  if (url.scheme == "http" && !listed)
    return std::string("plain http sends the vendor key unencrypted: use https, or ") + kHowToOpen;
  return std::nullopt;
}

std::optional<std::string> Policy::check_address(const Url& url, const core::IpAddress& a) const {
  if (allows_name(url.host, url.port) || allows_address(a, url.port)) return std::nullopt;
  if (auto r = refused_range(a)) return url.host + " resolves to " + a.to_string() + ", " + r->text() + ": refused (" + kHowToOpen + ")";
  return std::nullopt;
}

const Policy& default_policy() {
  static const Policy none;
  return none;
}

}  // namespace airlock::egress
