#include "cli/host.h"

#include <cstdio>

namespace airlock::cli {

std::string flag_value(const ParsedFlags& f, const std::string& name) {
  for (const auto& a : f.other)
    if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
  return {};
}

bool has_flag(const ParsedFlags& f, const std::string& name) {
  for (const auto& a : f.other)
    if (a.rfind(name + "=", 0) == 0) return true;
  return false;
}

int with_store(const ParsedFlags& flags, const std::function<int(HostCtx&)>& fn) {
  auto load = load_or_report(flags);
  if (!load) return 2;
  HostCtx ctx;
  ctx.config = load->config;
  auto opened = open_store(load->config, *ctx.random, ctx.clock, /*may_create=*/false);
  if (!opened) {
    std::fprintf(stderr, "airlock: %s\n", opened.status().describe().c_str());
    return 1;
  }
  ctx.store = std::move(*opened);
  return fn(ctx);
}

}  // namespace airlock::cli
