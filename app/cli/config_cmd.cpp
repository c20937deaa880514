#include <cstdio>

#include "cli/commands.h"
#include "cli/preflight.h"

namespace airlock::cli {

int config_check(const Args& args) {
  auto flags = parse_flags(args);
  if (flags.help) {
    std::printf("Usage: airlock config check [options]\n\nValidates the configuration; reports every problem.\n\n%s",
                config_help().c_str());
    return 0;
  }
  auto load = load_or_report(flags);
  if (!load) return 2;
  // What serve reads at start, checked the same way (the provisioning file under the egress policy).
  auto problems = preflight_problems(load->config);
  if (!problems.empty()) {
    std::fprintf(stderr, "airlock: configuration has %zu problem(s):\n", problems.size());
    for (const auto& p : problems) std::fprintf(stderr, "  %s\n", p.c_str());
    return 2;
  }
  for (const auto& w : egress::allowlist_warnings(load->config.egress_allow))
    std::fprintf(stderr, "airlock: warning: AIRLOCK_EGRESS_ALLOW %s\n", w.c_str());
  std::printf("configuration OK\n");
  return 0;
}

int config_show(const Args& args) {
  auto flags = parse_flags(args);
  if (flags.help) {
    std::printf("Usage: airlock config show [options]\n\nPrints the effective configuration and where each value "
                "came from. Secrets are shown only as set / not set.\n\n%s",
                config_help().c_str());
    return 0;
  }
  auto load = load_or_report(flags);
  if (!load) return 2;
  std::fputs(core::render_config(*load).c_str(), stdout);
  return 0;
}

}  // namespace airlock::cli
