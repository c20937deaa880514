#include "core/config.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

extern char** environ;

namespace airlock::core {
namespace {

using Setter = std::function<std::optional<std::string>(Config&, const std::string&)>;
using Shower = std::function<std::string(const Config&)>;

struct KeyDef {
  ConfigKey meta;
  Setter set;
  Shower show;
};

std::optional<std::string> parse_int(const std::string& v, long lo, long hi, long* out) {
  long n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return "'" + v + "' is not a whole number";
  if (n < lo || n > hi) return "must be between " + std::to_string(lo) + " and " + std::to_string(hi);
  *out = n;
  return std::nullopt;
}

Setter int_key(int Config::*field, long lo, long hi) {
  return [=](Config& c, const std::string& v) -> std::optional<std::string> {
    long n = 0;
    if (auto e = parse_int(v, lo, hi, &n)) return e;
    c.*field = static_cast<int>(n);
    return std::nullopt;
  };
}

Setter size_key(std::size_t Config::*field, long lo, long hi) {
  return [=](Config& c, const std::string& v) -> std::optional<std::string> {
    long n = 0;
    if (auto e = parse_int(v, lo, hi, &n)) return e;
    c.*field = static_cast<std::size_t>(n);
    return std::nullopt;
  };
}

Setter string_key(std::string Config::*field) {
  return [=](Config& c, const std::string& v) -> std::optional<std::string> {
    c.*field = v;
    return std::nullopt;
  };
}

std::optional<std::string> parse_bool(const std::string& v, bool* out) {
  std::string l = v;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (l == "1" || l == "true" || l == "yes" || l == "on") return *out = true, std::nullopt;
  if (l == "0" || l == "false" || l == "no" || l == "off") return *out = false, std::nullopt;
  return "'" + v + "' is not a boolean (true/false)";
}

std::optional<std::string> parse_listen(const std::string& v, Config& c) {
  std::string host, port;
  if (!v.empty() && v.front() == '[') {
    auto close = v.find(']');
    if (close == std::string::npos || close + 1 >= v.size() || v[close + 1] != ':')
      return "expected [ipv6]:port";
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else {
    auto colon = v.rfind(':');
    if (colon == std::string::npos) return "expected host:port, e.g. 127.0.0.1:8443";
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
  }
  auto ip = IpAddress::parse(host);
  if (!ip) return "host must be an IP address ('" + host + "'); names are not resolved for binding";
  long p = 0;
  if (auto e = parse_int(port, 0, 65535, &p)) return "port " + *e;
  c.listen_host = ip->to_string();
  c.listen_port = static_cast<int>(p);
  return std::nullopt;
}

std::string listen_text(const Config& c) {
  bool v6 = c.listen_host.find(':') != std::string::npos;
  return (v6 ? "[" + c.listen_host + "]" : c.listen_host) + ":" + std::to_string(c.listen_port);
}

// The syslog receiver: "host:port" or "[IPv6]:port". Unlike the listen address the host may be a
// name: it is resolved at each connect and must match the receiver's certificate.
std::optional<std::string> parse_syslog_target(const std::string& v, Config& c) {
  if (v.empty()) {
    c.syslog_host.clear();
    c.syslog_port = 0;
    return std::nullopt;
  }
  std::string host, port;
  if (v.front() == '[') {
    auto close = v.find(']');
    if (close == std::string::npos || close + 1 >= v.size() || v[close + 1] != ':') return "expected [ipv6]:port";
    host = v.substr(1, close - 1);
    if (!IpAddress::parse(host) || host.find(':') == std::string::npos) return "'" + host + "' is not an IPv6 address";
    port = v.substr(close + 2);
  } else {
    auto colon = v.rfind(':');
    if (colon == std::string::npos) return "expected host:port, e.g. logs.example.com:6514 (RFC 5425's port)";
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
    if (host.empty() || host.size() > 253 || host.front() == '-' || host.front() == '.' ||
        host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != std::string::npos)
      return "'" + host + "' is not a host name or IPv4 address";
  }
  long p = 0;
  if (auto e = parse_int(port, 1, 65535, &p)) return "port " + *e;
  c.syslog_host = host;
  c.syslog_port = static_cast<int>(p);
  return std::nullopt;
}

std::string syslog_target_text(const Config& c) {
  if (c.syslog_host.empty()) return "";
  bool v6 = c.syslog_host.find(':') != std::string::npos;
  return (v6 ? "[" + c.syslog_host + "]" : c.syslog_host) + ":" + std::to_string(c.syslog_port);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

const std::vector<KeyDef>& defs() {
  static const std::vector<KeyDef> kDefs = {
      {{"AIRLOCK_DATA_DIR", "./airlock-data", false, "Directory for the database, keys and TLS files (mode 0700)."},
       string_key(&Config::data_dir), [](const Config& c) { return c.data_dir; }},
      {{"AIRLOCK_LISTEN", "127.0.0.1:8443", false, "Address and port to listen on (IP:port, [IPv6]:port; port 0 picks a free one)."},
       [](Config& c, const std::string& v) { return parse_listen(v, c); }, listen_text},
      {{"AIRLOCK_PUBLIC_URL", "https://<listen>", false, "External URL users reach Airlock at (links, origin checks)."},
       string_key(&Config::public_url), [](const Config& c) { return c.public_url; }},
      {{"AIRLOCK_TLS_CERT_FILE", "", false, "PEM certificate chain. Unset: a self-signed certificate is generated in the data dir."},
       string_key(&Config::tls_cert_file), [](const Config& c) { return c.tls_cert_file; }},
      {{"AIRLOCK_TLS_KEY_FILE", "", false, "PEM private key for AIRLOCK_TLS_CERT_FILE."},
       string_key(&Config::tls_key_file), [](const Config& c) { return c.tls_key_file; }},
      {{"AIRLOCK_TLS_HOSTNAMES", "localhost", false, "Comma-separated DNS names for the generated self-signed certificate."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         c.tls_hostnames.clear();
         std::stringstream ss(v);
         for (std::string item; std::getline(ss, item, ',');) {
           if (item.empty()) continue;
           if (item.size() > 253 || item.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != std::string::npos)
             return "'" + item + "' is not a DNS name";
           c.tls_hostnames.push_back(item);
         }
         return std::nullopt;
       },
       [](const Config& c) { return join(c.tls_hostnames); }},
      {{"AIRLOCK_PLAIN_HTTP", "false", false, "Serve plain HTTP for a TLS-terminating reverse proxy. Non-loopback needs AIRLOCK_TRUSTED_PROXIES."},
       [](Config& c, const std::string& v) { return parse_bool(v, &c.plain_http); },
       [](const Config& c) { return std::string(c.plain_http ? "true" : "false"); }},
      {{"AIRLOCK_TRUSTED_PROXIES", "", false, "Comma-separated CIDRs whose X-Forwarded-For is believed."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         std::string err;
         auto list = parse_cidr_list(v, &err);
         if (!list) return err;
         c.trusted_proxies = *list;
         return std::nullopt;
       },
       [](const Config& c) {
         std::vector<std::string> v;
         for (const auto& n : c.trusted_proxies) v.push_back(n.to_string());
         return join(v);
       }},
      {{"AIRLOCK_CORS_ORIGINS", "", false, "Comma-separated origins (https://app.example) whose browser code may call /api/ with an access token. Empty: none."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         c.cors_origins.clear();
         std::stringstream ss(v);
         for (std::string item; std::getline(ss, item, ',');) {
           while (!item.empty() && item.front() == ' ') item.erase(0, 1);
           while (!item.empty() && item.back() == ' ') item.pop_back();
           if (item.empty()) continue;
           bool scheme = item.rfind("https://", 0) == 0 || item.rfind("http://", 0) == 0;
           // Only after the scheme is known: "x".find("://") + 3 is past the end (fuzz: it threw).
           auto rest = scheme ? item.substr(item.find("://") + 3) : std::string();
           if (!scheme || rest.empty() || rest.find_first_of("/?#* ") != std::string::npos)
             return "'" + item + "' is not an origin like https://app.example[:port]";
           c.cors_origins.push_back(item);
         }
         return std::nullopt;
       },
       [](const Config& c) { return join(c.cors_origins); }},
      {{"AIRLOCK_HSTS_PRELOAD", "false", false, "Add 'preload' to Strict-Transport-Security (only once the domain is on the preload list)."},
       [](Config& c, const std::string& v) { return parse_bool(v, &c.hsts_preload); },
       [](const Config& c) { return std::string(c.hsts_preload ? "true" : "false"); }},
      {{"AIRLOCK_LOG_LEVEL", "info", false, "debug, info, warn or error."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         static const std::map<std::string, LogLevel> kLevels = {
             {"debug", LogLevel::kDebug}, {"info", LogLevel::kInfo}, {"warn", LogLevel::kWarn}, {"error", LogLevel::kError}};
         auto it = kLevels.find(v);
         if (it == kLevels.end()) return "'" + v + "' is not one of debug, info, warn, error";
         c.log_level = it->second;
         return std::nullopt;
       },
       [](const Config& c) {
         static const char* kNames[] = {"debug", "info", "warn", "error"};
         return std::string(kNames[static_cast<int>(c.log_level)]);
       }},
      {{"AIRLOCK_DB_KEY", "", true, "Database key: 64 hex chars (raw key) or a passphrase. See README for the lookup order."},
       string_key(&Config::db_key), nullptr},
      {{"AIRLOCK_DB_KEY_FILE", "", false, "File holding the database key (wins over AIRLOCK_DB_KEY and credentials)."},
       string_key(&Config::db_key_file), [](const Config& c) { return c.db_key_file; }},
      {{"AIRLOCK_MASTER_KEY", "", true, "Field-encryption master key: 64 hex chars."},
       string_key(&Config::master_key), nullptr},
      {{"AIRLOCK_MASTER_KEY_FILE", "", false, "File holding the master key (wins over AIRLOCK_MASTER_KEY and credentials)."},
       string_key(&Config::master_key_file), [](const Config& c) { return c.master_key_file; }},
      {{"AIRLOCK_MAX_BODY_BYTES", "10485760", false, "Largest request body accepted (413 above)."},
       size_key(&Config::max_body_bytes, 1024, 1L << 30), [](const Config& c) { return std::to_string(c.max_body_bytes); }},
      {{"AIRLOCK_MAX_HEADER_COUNT", "100", false, "Most request header fields accepted (431 above; at most 200)."},
       int_key(&Config::max_header_count, 8, 200), [](const Config& c) { return std::to_string(c.max_header_count); }},
      {{"AIRLOCK_MAX_HEADER_BYTES", "16384", false, "Largest total size of request headers (431 above; at most 65536)."},
       size_key(&Config::max_header_bytes, 1024, 65536), [](const Config& c) { return std::to_string(c.max_header_bytes); }},
      {{"AIRLOCK_HEADER_TIMEOUT", "10", false, "Seconds a client has to send a complete request head (slow-header cut-off)."},
       int_key(&Config::header_timeout_s, 1, 300), [](const Config& c) { return std::to_string(c.header_timeout_s); }},
      {{"AIRLOCK_READ_TIMEOUT", "30", false, "Seconds a single read of the request may wait."},
       int_key(&Config::read_timeout_s, 1, 3600), [](const Config& c) { return std::to_string(c.read_timeout_s); }},
      {{"AIRLOCK_WRITE_TIMEOUT", "30", false, "Seconds a single write of the response may wait."},
       int_key(&Config::write_timeout_s, 1, 3600), [](const Config& c) { return std::to_string(c.write_timeout_s); }},
      {{"AIRLOCK_IDLE_TIMEOUT", "5", false, "Seconds an idle keep-alive connection is kept."},
       int_key(&Config::idle_timeout_s, 1, 300), [](const Config& c) { return std::to_string(c.idle_timeout_s); }},
      {{"AIRLOCK_MAX_CONNECTIONS", "1024", false, "Most concurrent client connections; more are refused at accept."},
       int_key(&Config::max_connections, 4, 65536), [](const Config& c) { return std::to_string(c.max_connections); }},
      {{"AIRLOCK_MAX_CONNECTIONS_PER_IP", "256", false, "Open connections from one client address (IPv6: its /64); more are closed at accept. Trusted proxies are exempt."},
       int_key(&Config::max_connections_per_ip, 1, 65536), [](const Config& c) { return std::to_string(c.max_connections_per_ip); }},
      {{"AIRLOCK_DRAIN_TIMEOUT", "20", false, "Seconds in-flight requests get to finish after SIGTERM."},
       int_key(&Config::drain_timeout_s, 0, 600), [](const Config& c) { return std::to_string(c.drain_timeout_s); }},
      {{"AIRLOCK_DB_READERS", "4", false, "Read connections kept open to the database."},
       int_key(&Config::db_readers, 1, 64), [](const Config& c) { return std::to_string(c.db_readers); }},
      {{"AIRLOCK_DB_BUSY_TIMEOUT_MS", "5000", false, "Milliseconds to wait on a locked database."},
       int_key(&Config::db_busy_timeout_ms, 100, 600000), [](const Config& c) { return std::to_string(c.db_busy_timeout_ms); }},
      {{"AIRLOCK_ARGON2_MEMORY_KIB", "65536", false, "argon2id memory for password hashes (KiB; OWASP floor 19456). Older hashes are upgraded at the next sign-in."},
       int_key(&Config::argon2_memory_kib, 19456, 4194304), [](const Config& c) { return std::to_string(c.argon2_memory_kib); }},
      {{"AIRLOCK_ARGON2_ITERATIONS", "2", false, "argon2id passes (2-100)."},
       int_key(&Config::argon2_iterations, 2, 100), [](const Config& c) { return std::to_string(c.argon2_iterations); }},
      {{"AIRLOCK_ARGON2_PARALLELISM", "1", false, "argon2id lanes (1-16)."},
       int_key(&Config::argon2_parallelism, 1, 16), [](const Config& c) { return std::to_string(c.argon2_parallelism); }},
      {{"AIRLOCK_ARGON2_CONCURRENCY", "0", false, "argon2id runs at once over the whole process (0: one per core); sign-ins beyond wait up to 2 s, then 503 with Retry-After."},
       int_key(&Config::argon2_concurrency, 0, 256), [](const Config& c) { return std::to_string(c.argon2_concurrency); }},
      {{"AIRLOCK_LOCKOUT_FAILURES", "5", false, "Failed passwords or codes that lock an account (3-20)."},
       int_key(&Config::lockout_failures, 3, 20), [](const Config& c) { return std::to_string(c.lockout_failures); }},
      {{"AIRLOCK_LOCKOUT_WINDOW", "900", false, "Seconds in which those failures count."},
       int_key(&Config::lockout_window_s, 60, 86400), [](const Config& c) { return std::to_string(c.lockout_window_s); }},
      {{"AIRLOCK_LOCKOUT_DURATION", "900", false, "Seconds an account stays locked."},
       int_key(&Config::lockout_duration_s, 60, 86400), [](const Config& c) { return std::to_string(c.lockout_duration_s); }},
      {{"AIRLOCK_SESSION_IDLE_TIMEOUT", "1800", false, "Seconds without a request after which a console session ends."},
       int_key(&Config::session_idle_timeout_s, 60, 86400), [](const Config& c) { return std::to_string(c.session_idle_timeout_s); }},
      {{"AIRLOCK_SESSION_ABSOLUTE_TIMEOUT", "43200", false, "Seconds after sign-in at which a session ends regardless."},
       int_key(&Config::session_absolute_timeout_s, 300, 604800), [](const Config& c) { return std::to_string(c.session_absolute_timeout_s); }},
      {{"AIRLOCK_MAX_SESSIONS", "10", false, "Console sessions one user may have open; a new sign-in at the cap ends the oldest."},
       int_key(&Config::max_sessions, 1, 1000), [](const Config& c) { return std::to_string(c.max_sessions); }},
      {{"AIRLOCK_LOGIN_RATE_LIMIT", "10", false, "Sign-in attempts (password and MFA step) per minute per client IP."},
       int_key(&Config::login_rate_limit, 1, 10000), [](const Config& c) { return std::to_string(c.login_rate_limit); }},
      {{"AIRLOCK_SETUP_RATE_LIMIT", "5", false, "Setup and invite link uses per hour per client IP."},
       int_key(&Config::setup_rate_limit, 1, 10000), [](const Config& c) { return std::to_string(c.setup_rate_limit); }},
      {{"AIRLOCK_CSP_REPORT_RATE_LIMIT", "60", false, "CSP violation reports accepted per minute per client IP."},
       int_key(&Config::csp_report_rate_limit, 1, 10000), [](const Config& c) { return std::to_string(c.csp_report_rate_limit); }},
      {{"AIRLOCK_BREACHED_PASSWORDS_DIR", "", false, "Directory of Have I Been Pwned range files (XXXXX.txt per SHA-1 prefix); new passwords found there are refused. Empty: no check."},
       string_key(&Config::breached_passwords_dir), [](const Config& c) { return c.breached_passwords_dir; }},
      {{"AIRLOCK_PROVISION_FILE", "", false, "JSON file of providers and models applied at every start (secrets by api_key_env/api_key_file only)."},
       string_key(&Config::provision_file), [](const Config& c) { return c.provision_file; }},
      {{"AIRLOCK_UPSTREAM_CA_FILE", "", false, "PEM CA bundle for upstream TLS. Empty: the system bundle (/etc/ssl/certs/ca-certificates.crt)."},
       string_key(&Config::upstream_ca_file), [](const Config& c) { return c.upstream_ca_file; }},
      {{"AIRLOCK_USAGE_QUEUE", "65536", false, "Usage records that may wait for the database writer; beyond it records are dropped and counted."},
       int_key(&Config::usage_queue_capacity, 1024, 10000000), [](const Config& c) { return std::to_string(c.usage_queue_capacity); }},
      {{"AIRLOCK_SYSLOG_TARGET", "", false, "host:port of a syslog receiver that gets a copy of every audit event (RFC 5424 over TLS, RFC 5425). Empty: off."},
       [](Config& c, const std::string& v) { return parse_syslog_target(v, c); }, syslog_target_text},
      {{"AIRLOCK_SYSLOG_CA_FILE", "", false, "PEM CA bundle the syslog receiver's certificate must chain to (required with AIRLOCK_SYSLOG_TARGET)."},
       string_key(&Config::syslog_ca_file), [](const Config& c) { return c.syslog_ca_file; }},
      {{"AIRLOCK_EGRESS_ALLOW", "", false, "Destinations outside the public internet that providers may use: name:port, address:port, CIDR:port or CIDR ([IPv6] in brackets), comma-separated. Empty: public addresses only."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         std::string err;
         auto list = egress::parse_allowlist(v, &err);
         if (!list) return err;
         c.egress_allow = std::move(*list);
         return std::nullopt;
       },
       [](const Config& c) {
         std::vector<std::string> v;
         for (const auto& e : c.egress_allow) v.push_back(e.text);
         return join(v);
       }},
      {{"AIRLOCK_EGRESS_PROXY", "", false, "http://host:port of an HTTPS CONNECT proxy that provider connections go through (TLS to the provider runs inside the tunnel). Empty: direct."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         c.egress_proxy.reset();
         if (v.empty()) return std::nullopt;
         std::string err;
         auto u = egress::parse_proxy_url(v, &err);
         if (!u) return err;
         c.egress_proxy = *u;
         return std::nullopt;
       },
       [](const Config& c) { return c.egress_proxy ? c.egress_proxy->origin() : std::string(); }},
      {{"AIRLOCK_EGRESS_PROXY_CREDENTIALS", "", true, "user:password for the egress proxy (Basic); best as AIRLOCK_EGRESS_PROXY_CREDENTIALS_FILE."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         std::string t = v;
         while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
         if (!t.empty() && (t.find(':') == std::string::npos || t.size() > 1024)) return "must be user:password (at most 1024 characters)";
         for (char ch : t)
           if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return "must not contain control characters";
         c.egress_proxy_credentials = t;
         return std::nullopt;
       },
       [](const Config& c) { return c.egress_proxy_credentials; }},
      {{"AIRLOCK_EGRESS_NO_PROXY", "", false, "Destinations reached directly although AIRLOCK_EGRESS_PROXY is set: names (and the names under them), addresses and CIDRs, comma-separated."},
       [](Config& c, const std::string& v) -> std::optional<std::string> {
         std::string err;
         auto list = egress::parse_no_proxy(v, &err);
         if (!list) return err;
         c.egress_no_proxy = std::move(*list);
         return std::nullopt;
       },
       [](const Config& c) {
         std::vector<std::string> v;
         for (const auto& e : c.egress_no_proxy) v.push_back(e.text);
         return join(v);
       }},
  };
  return kDefs;
}

const KeyDef* find_def(const std::string& name) {
  for (const auto& d : defs())
    if (name == d.meta.name) return &d;
  return nullptr;
}

// systemd EnvironmentFile: KEY=VALUE lines, '#' or ';' comments, optional matching quotes.
bool read_env_file(const std::string& path, std::map<std::string, std::string>* out, std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) {
    errors->push_back("AIRLOCK_CONFIG_FILE: cannot read '" + path + "'");
    return false;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#' || line[first] == ';') continue;
    auto eq = line.find('=', first);
    if (eq == std::string::npos) {
      errors->push_back("AIRLOCK_CONFIG_FILE: line " + std::to_string(n) + " is not KEY=VALUE");
      continue;
    }
    std::string key = line.substr(first, eq - first);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    std::string value = line.substr(eq + 1);
    auto vb = value.find_first_not_of(" \t");
    value = vb == std::string::npos ? "" : value.substr(vb);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    (*out)[key] = value;
  }
  return true;
}

std::optional<std::string> read_secret_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "cannot read '" + path + "'";
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  // One trailing newline is what `echo` and editors add; it is not part of the value.
  if (!out->empty() && out->back() == '\n') out->pop_back();
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return std::nullopt;
}

void validate(ConfigLoad& r) {
  Config& c = r.config;
  if (c.data_dir.empty()) r.errors.push_back("AIRLOCK_DATA_DIR: must not be empty");
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    r.errors.push_back("AIRLOCK_TLS_CERT_FILE: set together with AIRLOCK_TLS_KEY_FILE, or neither");
  if (c.plain_http) {
    auto ip = IpAddress::parse(c.listen_host);
    bool loopback = ip && ((ip->v4 && ip->bytes[12] == 127) || c.listen_host == "::1");
    if (!loopback && c.trusted_proxies.empty())
      r.errors.push_back("AIRLOCK_PLAIN_HTTP: plain HTTP on a non-loopback address needs AIRLOCK_TRUSTED_PROXIES "
                         "(the reverse proxy that terminates TLS)");
  }
  if (!c.breached_passwords_dir.empty()) {
    // Checked here, not at the first password change: a typo would otherwise switch the check off
    // silently, every new password "not found".
    std::error_code ec;
    const auto& dir = c.breached_passwords_dir;
    if (!std::filesystem::is_directory(dir, ec))
      r.errors.push_back("AIRLOCK_BREACHED_PASSWORDS_DIR: '" + dir + "' is not an existing directory");
    else if (::access(dir.c_str(), R_OK | X_OK) != 0)
      r.errors.push_back("AIRLOCK_BREACHED_PASSWORDS_DIR: cannot read the directory '" + dir + "'");
  }
  if (!c.syslog_host.empty() && c.syslog_ca_file.empty())
    r.errors.push_back("AIRLOCK_SYSLOG_CA_FILE: required with AIRLOCK_SYSLOG_TARGET (the CA that issued the receiver's "
                       "certificate; the receiver is always verified)");
  if (c.syslog_host.empty() && !c.syslog_ca_file.empty())
    r.errors.push_back("AIRLOCK_SYSLOG_CA_FILE: set without AIRLOCK_SYSLOG_TARGET");
  if (!c.syslog_ca_file.empty() && ::access(c.syslog_ca_file.c_str(), R_OK) != 0)
    r.errors.push_back("AIRLOCK_SYSLOG_CA_FILE: cannot read '" + c.syslog_ca_file + "'");
  if (!c.egress_proxy && !c.egress_proxy_credentials.empty())
    r.errors.push_back("AIRLOCK_EGRESS_PROXY_CREDENTIALS: set without AIRLOCK_EGRESS_PROXY");
  if (!c.egress_proxy && !c.egress_no_proxy.empty())
    r.errors.push_back("AIRLOCK_EGRESS_NO_PROXY: set without AIRLOCK_EGRESS_PROXY");
  if (c.session_idle_timeout_s > c.session_absolute_timeout_s)
    r.errors.push_back("AIRLOCK_SESSION_IDLE_TIMEOUT: must not exceed AIRLOCK_SESSION_ABSOLUTE_TIMEOUT");
  if (c.public_url.empty()) {
    c.public_url = std::string(c.plain_http ? "http" : "https") + "://" + listen_text(c);
  } else {
    bool https = c.public_url.rfind("https://", 0) == 0;
    bool http = c.public_url.rfind("http://", 0) == 0;
    if (!https && !(http && c.plain_http))
      r.errors.push_back("AIRLOCK_PUBLIC_URL: must start with https:// (http:// only with AIRLOCK_PLAIN_HTTP)");
    while (c.public_url.size() > 8 && c.public_url.back() == '/') c.public_url.pop_back();
  }
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> kKeys = [] {
    std::vector<ConfigKey> v;
    for (const auto& d : defs()) v.push_back(d.meta);
    return v;
  }();
  return kKeys;
}

std::map<std::string, std::string> airlock_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string s(*e);
    if (s.rfind("AIRLOCK_", 0) != 0) continue;
    auto eq = s.find('=');
    if (eq != std::string::npos) out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

std::optional<std::string> flag_to_key(const std::string& flag) {
  if (flag.rfind("--", 0) != 0 || flag.size() < 3) return std::nullopt;
  std::string key = "AIRLOCK_";
  for (char ch : flag.substr(2)) {
    if (ch == '-') key += '_';
    else if (ch >= 'a' && ch <= 'z') key += static_cast<char>(ch - 'a' + 'A');
    else if (ch >= '0' && ch <= '9') key += ch;
    else return std::nullopt;
  }
  return find_def(key) ? std::optional(key) : std::nullopt;
}

ConfigLoad load_config(const ConfigSource& src) {
  ConfigLoad r;
  for (const auto& d : defs()) r.origins[d.meta.name] = "default";

  std::map<std::string, std::string> file_values;
  std::optional<std::string> file = src.config_file;
  if (!file) {
    auto it = src.env.find("AIRLOCK_CONFIG_FILE");
    if (it != src.env.end()) file = it->second;
  }
  if (file) read_env_file(*file, &file_values, &r.errors);

  // Apply layer by layer so a later layer wins; within a layer KEY_FILE wins over KEY.
  auto apply = [&](const std::map<std::string, std::string>& layer, const char* origin, bool allow_file_form) {
    for (const auto& [name, raw] : layer) {
      if (name == "AIRLOCK_CONFIG_FILE") continue;
      std::string key = name;
      std::string value = raw;
      const KeyDef* def = find_def(key);
      if (!def && allow_file_form && key.size() > 5 && key.compare(key.size() - 5, 5, "_FILE") == 0) {
        key = key.substr(0, key.size() - 5);
        def = find_def(key);
        if (def) {
          if (auto e = read_secret_file(raw, &value)) {
            r.errors.push_back(name + ": " + *e);
            continue;
          }
        }
      } else if (def && allow_file_form && layer.count(key + "_FILE") && !find_def(key + "_FILE")) {
        continue;  // the _FILE form of this key is in the same layer and wins
      }
      if (!def) {
        // Unknown keys in the file or flags are typos; unrelated AIRLOCK_* variables in the
        // environment (build scripts, tests) are not ours to refuse.
        if (std::string(origin) != "env") r.errors.push_back(name + ": unknown setting");
        continue;
      }
      if (def->meta.secret && std::string(origin) == "flag") {
        r.errors.push_back(key + ": secrets are not taken as flags (other users can read command lines); "
                           "use the environment or " + key + "_FILE");
        continue;
      }
      if (auto e = def->set(r.config, value)) {
        r.errors.push_back(key + ": " + *e);
        continue;
      }
      r.origins[key] = origin;
    }
  };
  apply(file_values, "file", true);
  apply(src.env, "env", true);
  apply(src.flags, "flag", false);
  validate(r);
  return r;
}

std::string render_config(const ConfigLoad& load) {
  std::ostringstream out;
  for (const auto& d : defs()) {
    std::string value;
    if (d.meta.secret) {
      const std::string& v = std::string(d.meta.name) == "AIRLOCK_DB_KEY" ? load.config.db_key : load.config.master_key;
      value = v.empty() ? "(not set)" : "(set, redacted)";
    } else {
      value = d.show(load.config);
    }
    out << d.meta.name << "=" << value << "    # " << load.origins.at(d.meta.name) << "\n";
  }
  return out.str();
}

}  // namespace airlock::core
