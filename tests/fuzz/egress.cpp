// libFuzzer target: the egress rules (egress/url.h, egress/policy.h, egress/address.h). The input
// is lines: a destination URL, an AIRLOCK_EGRESS_ALLOW value, an address an answer might carry.
// Properties: an accepted URL has one reading (its parts rebuild a URL that parses to the same
// parts); a host that is an IP literal is judged like the same address arriving from DNS; an
// address refused by the policy is never accepted for a name that no entry names; parse errors
// always say why.
#include <cstddef>
#include <cstdint>
#include <string>

#include "egress/address.h"
#include "egress/policy.h"
#include "egress/url.h"
#include "fuzz_check.h"

using namespace airlock;

namespace {

std::string_view line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const std::string_view out = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string url_text(line(rest));
  const std::string allow_text(line(rest));
  const std::string addr_text(line(rest));

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
  return 0;
}
