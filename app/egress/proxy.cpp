#include "egress/proxy.h"

#include <mbedtls/base64.h>

#include "core/bytes.h"
#include "core/text.h"

namespace airlock::egress {

std::optional<Url> parse_proxy_url(const std::string& text, std::string* error) {
  auto u = parse_url(text, error);
  if (!u) return std::nullopt;
  if (u->scheme != "http") {
    *error = "must be http://host:port (the tunnel inside carries the TLS)";
    return std::nullopt;
  }
  if (!u->base_path.empty()) {
    *error = "must not have a path";
    return std::nullopt;
  }
  return u;
}

std::optional<std::vector<NoProxyEntry>> parse_no_proxy(std::string_view text, std::string* error) {
  std::vector<NoProxyEntry> out;
  for (auto e : core::list_items(text)) {
    NoProxyEntry entry;
    entry.text = std::string(e);
    bool numeric = e.find_first_not_of("0123456789./") == std::string_view::npos || e.find(':') != std::string_view::npos;
    if (numeric) {
      auto inner = e.front() == '[' && e.back() == ']' ? e.substr(1, e.size() - 2) : e;
      entry.net = core::Cidr::parse(inner);
      if (!entry.net) {
        *error = "'" + std::string(e.substr(0, 80)) + "' is not an IP address or network";
        return std::nullopt;
      }
    } else {
      if (e.front() == '.') e.remove_prefix(1);
      std::string err;
      auto u = parse_url("https://" + std::string(e), &err);
      if (!u || !u->base_path.empty() || u->port != 443 || u->ip) {
        *error = "'" + std::string(e.substr(0, 80)) + "' is not a host name" + (u ? "" : ": the host " + err);
        return std::nullopt;
      }
      entry.name = u->host;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

bool ProxySettings::routes(const Url& target) const {
  if (!proxy) return false;
  for (const auto& e : no_proxy) {
    if (e.net && target.ip && e.net->contains(*target.ip)) return false;
    if (!e.name.empty() && (target.host == e.name ||
                            (target.host.size() > e.name.size() &&
                             target.host.compare(target.host.size() - e.name.size(), e.name.size(), e.name) == 0 &&
                             target.host[target.host.size() - e.name.size() - 1] == '.')))
      return false;
  }
  return true;
}

std::string ProxySettings::connect_head(const Url& target) const {
  std::string where = (target.bracketed ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
  std::string head = "CONNECT " + where + " HTTP/1.1\r\nHost: " + where + "\r\n";
  if (!credentials.empty()) {
    std::string b64(((credentials.size() + 2) / 3) * 4 + 1, '\0');
    std::size_t n = 0;
    mbedtls_base64_encode(reinterpret_cast<unsigned char*>(b64.data()), b64.size(), &n,
                          reinterpret_cast<const unsigned char*>(credentials.data()), credentials.size());
    b64.resize(n);
    head += "Proxy-Authorization: Basic " + b64 + "\r\n";
    core::secure_zero(b64.data(), b64.size());
  }
  head += "\r\n";
  return head;
}

}  // namespace airlock::egress
