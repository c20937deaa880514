// libFuzzer target: configuration loading (core/config.h): the config file (systemd
// EnvironmentFile syntax), AIRLOCK_* environment variables and --flags, layered and validated as
// at start. The input is lines. Lines up to one that is exactly "--" are the config file; after it,
// "--name=value" lines are flags (mapped with flag_to_key, as cli/flags.cpp does) and "KEY=VALUE"
// lines are environment variables (AIRLOCK_ is added when missing). Without a "--" line there is
// no config file.
//
// KEY_FILE settings make the loader read files: an input whose values could name a file that
// blocks or never ends is skipped (file_guard.h).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/config.h"
#include "file_guard.h"
#include "fuzz_check.h"

using namespace airlock::core;

namespace {

std::string config_path;  // a scratch file that holds each input's config file section
int config_fd = -1;

void remove_config_file() { ::unlink(config_path.c_str()); }

void write_config_file(std::string_view text) {
  FUZZ_CHECK(::ftruncate(config_fd, 0) == 0);
  FUZZ_CHECK(::pwrite(config_fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/airlock-fuzz-config-XXXXXX";
  config_fd = ::mkstemp(tmpl.data());
  FUZZ_CHECK(config_fd >= 0);
  config_path = tmpl;
  std::atexit(remove_config_file);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Every value as the file, environment and flag layers could read it: raw, trimmed, unquoted.
  for (std::string_view special : {"/dev", "/proc", "/sys", "/run"})
    if (input.find(special) != std::string_view::npos) return -1;  // -1: not kept in the corpus
  for (std::string_view all = input; !all.empty();) {
    std::string_view v = airlock::fuzz::next_line(all);
    const auto eq = v.find('=');
    if (eq == std::string_view::npos) continue;
    v.remove_prefix(eq + 1);
    if (airlock::fuzz::unsafe_path(v)) return -1;
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (airlock::fuzz::unsafe_path(v)) return -1;
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
      if (airlock::fuzz::unsafe_path(v.substr(1, v.size() - 2))) return -1;
  }

  ConfigSource src;
  std::string_view rest = input;
  if (input.rfind("--\n", 0) == 0) {
    write_config_file({});
    src.config_file = config_path;
    rest = input.substr(3);
  } else if (const auto sep = input.find("\n--\n"); sep != std::string_view::npos) {
    write_config_file(input.substr(0, sep + 1));
    src.config_file = config_path;
    rest = input.substr(sep + 4);
  }
  while (!rest.empty()) {
    const std::string_view l = airlock::fuzz::next_line(rest);
    const auto eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(l.substr(0, eq));
    const std::string value(l.substr(eq + 1));
    if (name.rfind("--", 0) == 0) {
      if (const auto key = flag_to_key(name)) {
        FUZZ_CHECK(key->rfind("AIRLOCK_", 0) == 0);
        src.flags[*key] = value;
      }
    } else {
      src.env[name.rfind("AIRLOCK_", 0) == 0 ? name : "AIRLOCK_" + name] = value;
    }
  }

  const ConfigLoad load = load_config(src);
  const std::size_t keys = config_keys().size();
  FUZZ_CHECK(load.origins.size() == keys);
  for (const auto& [key, origin] : load.origins)
    FUZZ_CHECK(origin == "default" || origin == "file" || origin == "env" || origin == "flag");
  for (const std::string& e : load.errors) FUZZ_CHECK(e.find(": ") != std::string::npos);  // each names its key

  const std::string shown = render_config(load);
  // Secrets are never printed, only whether they are set.
  FUZZ_CHECK(shown.find(load.config.db_key.empty() ? "AIRLOCK_DB_KEY=(not set)" : "AIRLOCK_DB_KEY=(set, redacted)") !=
             std::string::npos);
  FUZZ_CHECK(shown.find(load.config.master_key.empty() ? "AIRLOCK_MASTER_KEY=(not set)"
                                                       : "AIRLOCK_MASTER_KEY=(set, redacted)") != std::string::npos);
  if (load.errors.empty()) {
    const Config& c = load.config;
    FUZZ_CHECK(!c.data_dir.empty());
    FUZZ_CHECK(c.session_idle_timeout_s <= c.session_absolute_timeout_s);
    FUZZ_CHECK(c.public_url.rfind("https://", 0) == 0 || (c.plain_http && c.public_url.rfind("http://", 0) == 0));
    FUZZ_CHECK(c.listen_port >= 0 && c.listen_port <= 65535);
    FUZZ_CHECK(IpAddress::parse(c.listen_host).has_value());
    FUZZ_CHECK(c.syslog_host.empty() == (c.syslog_port == 0));
  }
  return 0;
}
