#pragma once
// What host-side commands (`airlock user …`, `airlock key …`) share: flag lookup and opening the
// existing store. They work on the data dir while the server runs: the server reads keys and
// users from the database on every request, so their changes hold from the next one.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/open_store.h"
#include "core/clock.h"
#include "core/random.h"

namespace airlock::cli {

// The value of a command flag collected by parse_flags ("--name=v" or "--name v"); "" when absent.
std::string flag_value(const ParsedFlags& f, const std::string& name);
bool has_flag(const ParsedFlags& f, const std::string& name);

struct HostCtx {
  core::Config config;
  const core::Clock& clock = core::process_clock();
  std::unique_ptr<core::Random> random = core::make_system_random();
  std::optional<OpenedStore> store;
};

// Loads the configuration and opens the existing store, then runs `fn`. Exit codes: 2 for
// configuration problems, 1 when the store cannot be opened, else what `fn` returns.
int with_store(const ParsedFlags& flags, const std::function<int(HostCtx&)>& fn);

}  // namespace airlock::cli
