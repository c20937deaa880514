#pragma once
// One function per CLI command; each handles its own --help. Exit codes: 0 ok, 1 runtime failure,
// 2 usage or configuration error.
#include <string>
#include <vector>

#include "core/config.h"

namespace airlock::cli {

using Args = std::vector<std::string>;  // arguments after the command word(s)

int serve(const Args& args);
int version(const Args& args);
int config_check(const Args& args);
int config_show(const Args& args);
int healthcheck(const Args& args);
int user(const Args& args);  // create-owner, unlock, reset-password
int sessions(const Args& args);  // revoke
int key(const Args& args);   // gateway keys: create, list, revoke

// Shared by commands that take configuration flags (--listen=…, --config FILE, …).
struct ParsedFlags {
  core::ConfigSource source;
  bool help = false;
  std::vector<std::string> errors;
  std::vector<std::string> other;  // flags a command handles itself
};
ParsedFlags parse_flags(const Args& args, const std::vector<std::string>& command_flags = {});

// Loads and validates config; on problems prints every one to stderr and returns nullopt.
std::optional<core::ConfigLoad> load_or_report(const ParsedFlags& flags);

// The configuration keys as `--help` text.
std::string config_help();

}  // namespace airlock::cli
