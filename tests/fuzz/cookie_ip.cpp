// libFuzzer target: the request fields read before any guard runs: the Cookie header
// (http::cookie_value, as guard/ and the console's link cookies use it) and the client address
// (http::resolve_client_ip over X-Forwarded-For, with core::Cidr and IpAddress), plus the client's
// X-Request-Id check. The input is lines: peer address, X-Forwarded-For, trusted proxies (a CIDR
// list as in AIRLOCK_TRUSTED_PROXIES), Cookie header, a cookie name, a request id.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "fuzz_check.h"
#include "http/client_ip.h"
#include "http/form.h"

using airlock::core::Cidr;
using airlock::core::IpAddress;
using airlock::fuzz::inside;

namespace {

// One spelling per address: what to_string() prints parses back to the same address.
void check_address(std::string_view text) {
  const auto ip = IpAddress::parse(text);
  if (!ip) return;
  const std::string shown = ip->to_string();
  const auto again = IpAddress::parse(shown);
  FUZZ_CHECK(again && again->bytes == ip->bytes && again->v4 == ip->v4 && again->to_string() == shown);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  using airlock::fuzz::next_line;
  const std::string_view peer = next_line(rest), xff = next_line(rest), proxies_text = next_line(rest),
                         cookies = next_line(rest), name = next_line(rest), request_id = next_line(rest);

  check_address(peer);
  std::string err;
  const auto proxies = airlock::core::parse_cidr_list(proxies_text, &err);
  if (proxies) {
    for (const Cidr& c : *proxies) {
      const auto again = Cidr::parse(c.to_string());
      FUZZ_CHECK(again && again->to_string() == c.to_string() && again->contains(c.base));
    }
  }
  const std::vector<Cidr> trusted = proxies ? *proxies : std::vector<Cidr>{};
  const std::string client = airlock::http::resolve_client_ip(peer, xff, trusted);
  // The peer as given, or an address someone in the trusted chain vouched for.
  const auto peer_ip = IpAddress::parse(peer);
  if (!peer_ip) FUZZ_CHECK(client == peer);
  else FUZZ_CHECK(IpAddress::parse(client).has_value());
  if (peer_ip && trusted.empty()) FUZZ_CHECK(client == peer_ip->to_string());

  for (std::string_view n : {std::string_view("__Host-airlock_session"), std::string_view("__Host-airlock_reset"),
                             std::string_view("__Host-airlock_invite"), std::string_view("__Host-airlock_setup"), name}) {
    if (const auto v = airlock::http::cookie_value(cookies, n)) FUZZ_CHECK(inside(*v, cookies));
  }

  const bool ok = airlock::http::valid_request_id(request_id);
  if (ok) FUZZ_CHECK(!request_id.empty() && request_id.size() <= 64);
  return 0;
}
