#pragma once
// A provider's base URL, parsed strictly: http or https, a host (name, IPv4, or [IPv6]), an
// optional port and path. Userinfo ("user:pass@"), queries, fragments, whitespace and control
// characters are refused: credentials never ride in URLs, and what we dial is what was written.
#include <optional>
#include <string>

namespace airlock::gateway {

struct UpstreamUrl {
  std::string scheme;     // http | https
  std::string host;       // without brackets
  int port = 0;
  std::string base_path;  // "" or "/v1" (no trailing slash)
  bool host_is_ip = false;

  // scheme://host:port, IPv6 in brackets.
  std::string origin() const;
};

// nullopt + `*error` (a sentence naming the problem) for anything else.
std::optional<UpstreamUrl> parse_upstream_url(const std::string& text, std::string* error);

}  // namespace airlock::gateway
