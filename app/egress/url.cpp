#include "egress/url.h"

#include <arpa/inet.h>

namespace airlock::egress {
namespace {

bool path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~/!$&'()*+,;=:@%").find(c) != std::string_view::npos;
}

bool label_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool all_of(std::string_view s, std::string_view set) { return !s.empty() && s.find_first_not_of(set) == std::string_view::npos; }

// As in the WHATWG URL rules: a host whose last label is a number (decimal, octal or 0x-hex) is
// an IPv4 address or nothing. Resolvers would dial "127.1" or "0x7f000001" as IPv4.
bool ends_in_number(std::string_view host) {
  auto dot = host.rfind('.');
  auto last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (all_of(last, "0123456789")) return true;
  return last.size() >= 2 && last[0] == '0' && last[1] == 'x' && (last.size() == 2 || all_of(last.substr(2), "0123456789abcdef"));
}

const char* name_problem(std::string_view host) {
  if (host.empty()) return "needs a host";
  if (host.size() > 253) return "has a host name over 253 characters";
  for (char c : host)
    if (static_cast<unsigned char>(c) >= 0x80) return "has a non-ASCII host name: write it in its xn-- (IDNA) form";
  if (host.find('%') != std::string_view::npos) return "has percent-encoding in the host";
  if (host.back() == '.') return "has a host name ending in a dot";
  std::size_t i = 0;
  while (i <= host.size()) {
    auto j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    auto label = host.substr(i, j - i);
    if (label.empty()) return "has an empty label in the host name";
    if (label.size() > 63) return "has a host name label over 63 characters";
    for (char c : label)
      if (!label_char(c)) return "has a host with characters a DNS name cannot have";
    if (label.front() == '-' || label.back() == '-') return "has a host name label starting or ending with '-'";
    i = j + 1;
  }
  if (ends_in_number(host)) return "has a numeric host that is not a dotted-quad IPv4 address";
  return nullptr;
}

}  // namespace

std::string Url::origin() const {
  bool v6 = bracketed;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::authority() const {
  std::string a = bracketed ? "[" + host + "]" : host;
  bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  if (!default_port) a += ":" + std::to_string(port);
  return a;
}

std::optional<Url> parse_url(const std::string& text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<Url> {
    *error = why;
    return std::nullopt;
  };
  if (text.size() > 2048) return fail("is longer than 2048 characters");
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return fail("has spaces or control characters");
  }
  if (text.find('\\') != std::string::npos) return fail("has a backslash");
  Url u;
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
    return fail("must start with https:// (or http://)");
  }
  if (text.find_first_of("?#") != std::string::npos) return fail("must not have a query or fragment");
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return fail("must not contain credentials (user:password@)");
  std::string_view host, port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("has an unclosed [IPv6] host");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("has junk after the IPv6 address");
      port_text = after.substr(1);
      has_port = true;
    }
    if (host.find('%') != std::string_view::npos) return fail("has a zone or percent-encoding in the IPv6 address");
    if (host.find(':') == std::string_view::npos) return fail("has an invalid IPv6 address");
    u.ip = core::IpAddress::parse(host);
    if (!u.ip) return fail("has an invalid IPv6 address");
    // Canonical text, so what is logged and matched has one spelling. A mapped address stays in
    // brackets as written (v4 is set, yet the host is IPv6 text).
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, u.ip->bytes.data(), buf, sizeof buf);
    u.host = buf;
    u.bracketed = true;  // canonical form: what is logged and matched is one spelling
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    u.host.assign(host);
    for (char& c : u.host)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (!u.host.empty() && u.host.find_first_not_of("0123456789.") == std::string::npos) {
      u.ip = core::IpAddress::parse(u.host);
      if (!u.ip) return fail("has a numeric host that is not a dotted-quad IPv4 address");
    } else if (const char* why = name_problem(u.host)) {
      return fail(why);
    }
  }
  if (has_port) {
    if (port_text.empty()) return fail("has an empty port");
    if (!all_of(port_text, "0123456789") || port_text.size() > 5 || port_text[0] == '0')
      return fail("has a port outside 1-65535");
    int p = 0;
    for (char c : port_text) p = p * 10 + (c - '0');
    if (p < 1 || p > 65535) return fail("has a port outside 1-65535");
    u.port = p;
  }
  for (char c : path)
    if (!path_char(c)) return fail("has a path with characters a URL path cannot have");
  u.base_path = std::string(path);
  while (!u.base_path.empty() && u.base_path.back() == '/') u.base_path.pop_back();
  return u;
}

}  // namespace airlock::egress
