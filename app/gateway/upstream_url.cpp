#include "gateway/upstream_url.h"

#include <arpa/inet.h>

#include <charconv>

namespace airlock::gateway {
namespace {

bool host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~/!$&'()*+,;=:@%").find(c) != std::string_view::npos;
}

bool ends_in_number(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  auto dot = host.rfind('.');
  auto last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  if (last.find_first_not_of("0123456789") == std::string_view::npos) return true;
  if (last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))
    return last.substr(2).find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  return false;
}

}  // namespace

std::string UpstreamUrl::origin() const {
  bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<UpstreamUrl> parse_upstream_url(const std::string& text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<UpstreamUrl> {
    *error = why;
    return std::nullopt;
  };
  UpstreamUrl u;
  std::string_view rest = text;
  if (rest.rfind("https://", 0) == 0) {
    u.scheme = "https";
    u.port = 443;
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    u.scheme = "http";
    u.port = 80;
    rest.remove_prefix(7);
  } else {
    return fail("must start with https:// (or http:// for an internal provider)");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return fail("must not contain credentials (user:password@)");
  if (text.find_first_of("?#") != std::string::npos) return fail("must not have a query or fragment");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("has an unclosed [IPv6] host");
    u.host = std::string(authority.substr(1, close - 1));
    in6_addr a6{};
    if (inet_pton(AF_INET6, u.host.c_str(), &a6) != 1) return fail("has an invalid IPv6 address");
    u.host_is_ip = true;
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("has junk after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("has an empty port");
    }
  } else {
    auto colon = authority.find(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("has an empty port");
    }
    if (u.host.empty() || u.host.size() > 253) return fail("needs a host");
    for (char c : u.host)
      if (!host_name_char(c)) return fail("has a host with characters a DNS name cannot have");
    in_addr a4{};
    u.host_is_ip = inet_pton(AF_INET, u.host.c_str(), &a4) == 1;
    // "127.1", "0x7f000001" and other inet_aton spellings would be dialled as IPv4 by the resolver,
    // yet are no names either. As in the WHATWG URL rules, a host whose last label is a number
    // (decimal or 0x-hex) is an IPv4 address or nothing.
    if (!u.host_is_ip && ends_in_number(u.host)) return fail("has a numeric host that is not a dotted-quad IPv4 address");
  }
  if (!port_text.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || p < 1 || p > 65535)
      return fail("has a port outside 1-65535");
    u.port = p;
  }
  for (char c : path)
    if (!path_char(c)) return fail("has a path with spaces or control characters");
  u.base_path = std::string(path);
  while (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
  return u;
}

}  // namespace airlock::gateway
