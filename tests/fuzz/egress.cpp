// libFuzzer target: the egress rules (egress/url.h, egress/policy.h, egress/address.h,
// egress/proxy.h). The input is lines: a destination URL, an AIRLOCK_EGRESS_ALLOW value, an address
// an answer might carry, an AIRLOCK_EGRESS_NO_PROXY value, proxy credentials.
// Properties: an accepted URL has one reading (its parts rebuild a URL that parses to the same
// parts); a host that is an IP literal is judged like the same address arriving from DNS; an
// address refused by the policy is never accepted for a name that no entry names; parse errors
// always say why.
#include <cstddef>
#include <cstdint>
#include <string>

#include "egress/address.h"
#include "egress/policy.h"
#include "egress/proxy.h"
#include "egress/url.h"
#include "fuzz_check.h"

using namespace airlock;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string url_text(fuzz::next_line(rest));
  const std::string allow_text(fuzz::next_line(rest));
  const std::string addr_text(fuzz::next_line(rest));
  const std::string no_proxy_text(fuzz::next_line(rest));
  const std::string credentials(fuzz::next_line(rest));

  std::string err;
  auto u = egress::parse_url(url_text, &err);
  if (!u) {
    FUZZ_CHECK(!err.empty());
  } else {
    FUZZ_CHECK(u->scheme == "https" || u->scheme == "http");
    FUZZ_CHECK(u->port >= 1 && u->port <= 65535);
    FUZZ_CHECK(!u->host.empty());
    FUZZ_CHECK(u->host.find_first_of("@#?\\%/ ") == std::string::npos);
    std::string again_err;
    auto again = egress::parse_url(u->origin() + u->base_path, &again_err);
    FUZZ_CHECK(again);
    FUZZ_CHECK(again->host == u->host && again->port == u->port && again->scheme == u->scheme &&
               again->base_path == u->base_path && again->ip.has_value() == u->ip.has_value());
  }

  err.clear();
  auto allow = egress::parse_allowlist(allow_text, &err);
  if (!allow) FUZZ_CHECK(!err.empty());
  egress::Policy policy(allow ? *allow : std::vector<egress::AllowEntry>{});
  egress::Policy strict;

  if (u) {
    auto url_verdict = strict.check_url(*u);
    if (u->ip) {
      // The literal and the same address from DNS get the same answer from the address rule.
      bool refused_literal = egress::refused_range(*u->ip).has_value();
      FUZZ_CHECK(refused_literal == strict.check_address(*u, *u->ip).has_value());
      if (refused_literal) FUZZ_CHECK(url_verdict.has_value());
    }
    (void)policy.check_url(*u);
  }
  if (auto a = core::IpAddress::parse(addr_text)) {
    auto r = egress::refused_range(*a);
    if (r) FUZZ_CHECK(!r->text().empty());
    if (u) {
      FUZZ_CHECK(strict.check_address(*u, *a).has_value() == r.has_value());
      (void)policy.check_address(*u, *a);
    }
  }
  // The proxy: a URL that parses as a proxy is an http origin; the CONNECT head for any accepted
  // destination is exactly its lines (nothing from the URL or the credentials adds a line).
  std::string proxy_err;
  auto proxy = egress::parse_proxy_url(url_text, &proxy_err);
  if (proxy) FUZZ_CHECK(proxy->scheme == "http" && proxy->base_path.empty());
  std::string np_err;
  auto no_proxy = egress::parse_no_proxy(no_proxy_text, &np_err);
  if (!no_proxy) FUZZ_CHECK(!np_err.empty());
  if (u && credentials.find_first_of("\r\n") == std::string::npos) {
    egress::ProxySettings settings{egress::Url{"http", "proxy.example", 3128, "", std::nullopt, false}, credentials,
                                   no_proxy ? *no_proxy : std::vector<egress::NoProxyEntry>{}};
    (void)settings.routes(*u);
    const std::string head = settings.connect_head(*u);
    std::size_t lines = 0;
    for (std::size_t i = head.find("\r\n"); i != std::string::npos; i = head.find("\r\n", i + 2)) ++lines;
    FUZZ_CHECK(lines == (credentials.empty() ? 3u : 4u));
    FUZZ_CHECK(head.find('\n') == head.find("\r\n") + 1);
    FUZZ_CHECK(head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0);
  }
  return 0;
}
