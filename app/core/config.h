#pragma once
// The one configuration struct. Built at start from, lowest to highest precedence: built-in
// defaults, the optional config file (systemd EnvironmentFile syntax, AIRLOCK_CONFIG_FILE or
// --config), the environment, then command-line flags. Every key also has a KEY_FILE form whose file
// content wins over KEY (systemd credentials, Docker secrets). Validated as a whole: load() reports
// every problem at once, each naming its key. Read-only after start.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "egress/policy.h"
#include "egress/proxy.h"

namespace airlock::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct Config {
  std::string data_dir = "./airlock-data";
  std::string listen_host = "127.0.0.1";
  int listen_port = 8443;
  std::string public_url;  // derived from listen when unset
  std::string tls_cert_file;
  std::string tls_key_file;
  std::vector<std::string> tls_hostnames{"localhost"};
  bool plain_http = false;
  std::vector<Cidr> trusted_proxies;
  std::vector<std::string> cors_origins;  // exact origins allowed to call /api/ from a browser
  bool hsts_preload = false;
  LogLevel log_level = LogLevel::kInfo;

  // Secrets: never printed, never logged. Empty means "not given here".
  std::string db_key;
  std::string db_key_file;
  std::string master_key;
  std::string master_key_file;

  std::size_t max_body_bytes = 10 * 1024 * 1024;
  int max_header_count = 100;
  std::size_t max_header_bytes = 16 * 1024;
  int header_timeout_s = 10;
  int read_timeout_s = 30;
  int write_timeout_s = 30;
  int idle_timeout_s = 5;
  int max_connections = 1024;
  // Open connections from one client address (IPv6: its /64); trusted proxies are exempt.
  int max_connections_per_ip = 256;
  int drain_timeout_s = 20;
  int db_readers = 4;
  int db_busy_timeout_ms = 5000;
  // argon2id for console passwords; the default was measured on a 2-core machine (~100 ms).
  int argon2_memory_kib = 65536;
  int argon2_iterations = 2;
  int argon2_parallelism = 1;
  // argon2id runs at once over the whole process (0: one per core); more wait briefly, then 503.
  int argon2_concurrency = 0;
  int lockout_failures = 5;
  int lockout_window_s = 15 * 60;
  int lockout_duration_s = 15 * 60;
  int session_idle_timeout_s = 30 * 60;
  int session_absolute_timeout_s = 12 * 3600;
  int max_sessions = 10;  // per user; at the cap a new sign-in ends the oldest
  int login_rate_limit = 10;  // per minute per client IP
  int setup_rate_limit = 5;   // per hour per client IP (setup and invite links)
  int csp_report_rate_limit = 60;  // per minute per client IP
  // Offline Have I Been Pwned range files (one XXXXX.txt per SHA-1 prefix); empty: no breach check.
  std::string breached_passwords_dir;

  // Gateway.
  std::string provision_file;           // JSON providers and models applied at every start
  std::string upstream_ca_file;         // CA bundle for upstream TLS; empty: the system bundle
  int usage_queue_capacity = 65536;     // usage records waiting for the writer; more are dropped (counted)

  // Off-box audit copy (audit/syslog_forwarder.h): RFC 5424 over TLS to host:port; empty host: off.
  std::string syslog_host;  // DNS name or IP literal, also the name the receiver's certificate must carry
  int syslog_port = 0;
  std::string syslog_ca_file;  // PEM CA bundle the receiver's certificate must chain to

  // Egress (egress/policy.h): destinations the operator opens beyond the public internet.
  std::vector<egress::AllowEntry> egress_allow;
  // An HTTPS CONNECT proxy for provider traffic (egress/proxy.h); unset: direct.
  std::optional<egress::Url> egress_proxy;
  std::string egress_proxy_credentials;  // "user:password" (secret)
  std::vector<egress::NoProxyEntry> egress_no_proxy;
};

struct ConfigKey {
  const char* name;          // AIRLOCK_*
  const char* default_text;  // as shown in help and README
  bool secret;
  const char* help;
};
const std::vector<ConfigKey>& config_keys();

struct ConfigSource {
  std::map<std::string, std::string> env;    // the process environment, AIRLOCK_* only
  std::map<std::string, std::string> flags;  // --listen=… mapped to AIRLOCK_LISTEN
  std::optional<std::string> config_file;    // --config; else AIRLOCK_CONFIG_FILE from env
};

struct ConfigLoad {
  Config config;
  std::vector<std::string> errors;             // "AIRLOCK_LISTEN: …", one per problem
  std::map<std::string, std::string> origins;  // key → "default" | "file" | "env" | "flag"
};

ConfigLoad load_config(const ConfigSource& source);

// Current environment's AIRLOCK_* variables.
std::map<std::string, std::string> airlock_environment();

// "--tls-cert-file" ↔ "AIRLOCK_TLS_CERT_FILE".
std::optional<std::string> flag_to_key(const std::string& flag);

// `config show`: every key with its effective value (secrets as "(set)" / "(not set)") and origin.
std::string render_config(const ConfigLoad& load);

}  // namespace airlock::core
