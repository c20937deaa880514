#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/commands.h"

namespace airlock::cli {

ParsedFlags parse_flags(const Args& args, const std::vector<std::string>& command_flags) {
  ParsedFlags p;
  p.source.env = core::airlock_environment();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      p.help = true;
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    bool is_command_flag = false;
    for (const auto& f : command_flags) is_command_flag = is_command_flag || f == name;
    if (is_command_flag) {
      // Stored as "--name=value" whether given as one word or two.
      if (!has_value && i + 1 < args.size()) value = args[++i];
      p.other.push_back(name + "=" + value);
      continue;
    }
    auto take_value = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 < args.size()) {
        value = args[++i];
        return true;
      }
      p.errors.push_back(name + ": needs a value");
      return false;
    };
    if (name == "--config") {
      if (take_value()) p.source.config_file = value;
      continue;
    }
    auto key = core::flag_to_key(name);
    if (!key) {
      p.errors.push_back(a + ": unknown option (see --help)");
      continue;
    }
    if (take_value()) p.source.flags[*key] = value;
  }
  return p;
}

std::optional<core::ConfigLoad> load_or_report(const ParsedFlags& flags) {
  for (const auto& e : flags.errors) std::fprintf(stderr, "airlock: %s\n", e.c_str());
  if (!flags.errors.empty()) return std::nullopt;
  auto load = core::load_config(flags.source);
  if (!load.errors.empty()) {
    std::fprintf(stderr, "airlock: configuration has %zu problem(s):\n", load.errors.size());
    for (const auto& e : load.errors) std::fprintf(stderr, "  %s\n", e.c_str());
    return std::nullopt;
  }
  return load;
}

std::string config_help() {
  std::ostringstream out;
  out << "Configuration (flag, environment variable; each variable also as NAME_FILE):\n"
         "  --config FILE  settings file in systemd EnvironmentFile syntax (or AIRLOCK_CONFIG_FILE)\n";
  for (const auto& k : core::config_keys()) {
    std::string flag = "--";
    for (char c : std::string(k.name).substr(8)) flag += c == '_' ? '-' : static_cast<char>(std::tolower(c));
    out << "  " << (k.secret ? std::string("(env only)") : flag) << "  " << k.name;
    if (*k.default_text) out << " [default " << k.default_text << "]";
    out << "\n      " << k.help << "\n";
  }
  return out.str();
}

}  // namespace airlock::cli
