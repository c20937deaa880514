#include "cli/preflight.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "gateway/provision.h"

extern char** environ;

namespace airlock::cli {
namespace {

void readable_file(std::vector<std::string>& out, const char* key, const std::string& path) {
  if (path.empty()) return;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) out.push_back(std::string(key) + ": '" + path + "' does not exist");
  else if (!S_ISREG(st.st_mode)) out.push_back(std::string(key) + ": '" + path + "' is not a file");
  else if (::access(path.c_str(), R_OK) != 0) out.push_back(std::string(key) + ": '" + path + "' is not readable");
}

}  // namespace

std::map<std::string, std::string> whole_environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::vector<std::string> preflight_problems(const core::Config& config) {
  std::vector<std::string> out;
  readable_file(out, "AIRLOCK_TLS_CERT_FILE", config.tls_cert_file);
  readable_file(out, "AIRLOCK_TLS_KEY_FILE", config.tls_key_file);
  readable_file(out, "AIRLOCK_DB_KEY_FILE", config.db_key_file);
  readable_file(out, "AIRLOCK_MASTER_KEY_FILE", config.master_key_file);
  readable_file(out, "AIRLOCK_UPSTREAM_CA_FILE", config.upstream_ca_file);
  readable_file(out, "AIRLOCK_SYSLOG_CA_FILE", config.syslog_ca_file);
  if (!config.breached_passwords_dir.empty()) {
    struct stat st {};
    if (::stat(config.breached_passwords_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      out.push_back("AIRLOCK_BREACHED_PASSWORDS_DIR: '" + config.breached_passwords_dir + "' is not a directory");
  }
  if (!config.provision_file.empty()) {
    auto env = whole_environment();
    egress::Policy policy(config.egress_allow,
                          {config.egress_proxy, config.egress_proxy_credentials, config.egress_no_proxy});
    std::vector<std::string> problems;
    (void)gateway::load_provision_file(config.provision_file, env, problems, policy);
    for (auto& [k, v] : env) core::secure_zero(v.data(), v.size());
    for (auto& p : problems) out.push_back(p.rfind("AIRLOCK_", 0) == 0 ? p : "AIRLOCK_PROVISION_FILE " + p);
  }
  return out;
}

}  // namespace airlock::cli
