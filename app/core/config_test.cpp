#include "core/config.h"

#include <catch2/catch_test_macros.hpp>
#include <fstream>

#include "support/temp_dir.h"

using namespace airlock::core;

namespace {
ConfigLoad load(std::map<std::string, std::string> env, std::map<std::string, std::string> flags = {},
                std::optional<std::string> file = std::nullopt) {
  ConfigSource s;
  s.env = std::move(env);
  s.flags = std::move(flags);
  s.config_file = std::move(file);
  return load_config(s);
}
bool has_error(const ConfigLoad& l, const std::string& needle) {
  for (const auto& e : l.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("defaults are valid and listen on loopback 8443 with TLS", "[config]") {
  auto l = load({});
  CHECK(l.errors.empty());
  CHECK(l.config.listen_host == "127.0.0.1");
  CHECK(l.config.listen_port == 8443);
  CHECK(l.config.public_url == "https://127.0.0.1:8443");
  CHECK(l.config.max_body_bytes == 10u * 1024 * 1024);
  CHECK_FALSE(l.config.plain_http);
}

TEST_CASE("every problem is reported at once, each naming its key", "[config][V13.1.1]") {
  auto l = load({{"AIRLOCK_LISTEN", "nohost"}, {"AIRLOCK_LOG_LEVEL", "loud"}, {"AIRLOCK_MAX_BODY_BYTES", "-5"},
                 {"AIRLOCK_TRUSTED_PROXIES", "10.0.0.1/8"}, {"AIRLOCK_TLS_CERT_FILE", "/x.pem"}});
  CHECK(l.errors.size() == 5);
  CHECK(has_error(l, "AIRLOCK_LISTEN:"));
  CHECK(has_error(l, "AIRLOCK_LOG_LEVEL:"));
  CHECK(has_error(l, "AIRLOCK_MAX_BODY_BYTES:"));
  CHECK(has_error(l, "AIRLOCK_TRUSTED_PROXIES:"));
  CHECK(has_error(l, "AIRLOCK_TLS_CERT_FILE:"));
}

TEST_CASE("security limits out of range are errors, not clamped", "[config]") {
  CHECK(has_error(load({{"AIRLOCK_MAX_HEADER_COUNT", "201"}}), "between 8 and 200"));
  CHECK(has_error(load({{"AIRLOCK_MAX_HEADER_BYTES", "65537"}}), "AIRLOCK_MAX_HEADER_BYTES"));
  CHECK(has_error(load({{"AIRLOCK_HEADER_TIMEOUT", "0"}}), "AIRLOCK_HEADER_TIMEOUT"));
  CHECK(has_error(load({{"AIRLOCK_MAX_CONNECTIONS", "12x"}}), "not a whole number"));
  CHECK(load({{"AIRLOCK_MAX_HEADER_COUNT", "200"}}).errors.empty());
}

TEST_CASE("plain HTTP on a public address needs trusted proxies", "[config][V12.2.1]") {
  CHECK(has_error(load({{"AIRLOCK_PLAIN_HTTP", "true"}, {"AIRLOCK_LISTEN", "0.0.0.0:8080"}}), "AIRLOCK_PLAIN_HTTP"));
  CHECK(load({{"AIRLOCK_PLAIN_HTTP", "true"}, {"AIRLOCK_LISTEN", "127.0.0.1:8080"}}).errors.empty());
  CHECK(load({{"AIRLOCK_PLAIN_HTTP", "true"}, {"AIRLOCK_LISTEN", "0.0.0.0:8080"},
              {"AIRLOCK_TRUSTED_PROXIES", "10.0.0.0/8"}})
            .errors.empty());
  CHECK(has_error(load({{"AIRLOCK_PUBLIC_URL", "http://gw.example"}}), "AIRLOCK_PUBLIC_URL"));
}

TEST_CASE("listen accepts IPv4 and bracketed IPv6 and refuses host names", "[config]") {
  auto v6 = load({{"AIRLOCK_LISTEN", "[::1]:9000"}});
  CHECK(v6.errors.empty());
  CHECK(v6.config.listen_host == "::1");
  CHECK(v6.config.public_url == "https://[::1]:9000");
  CHECK(has_error(load({{"AIRLOCK_LISTEN", "localhost:8443"}}), "host must be an IP"));
  CHECK(has_error(load({{"AIRLOCK_LISTEN", "127.0.0.1:65536"}}), "port"));
}

TEST_CASE("precedence is default < file < environment < flag, and KEY_FILE beats KEY", "[config]") {
  airlock::testing::TempDir dir;
  std::ofstream(dir / "airlock.env") << "# comment\nAIRLOCK_LOG_LEVEL=warn\nAIRLOCK_LISTEN=\"127.0.0.1:7000\"\n"
                                        "AIRLOCK_IDLE_TIMEOUT = 7\n";
  std::ofstream(dir / "level") << "error\n";
  auto l = load({{"AIRLOCK_LISTEN", "127.0.0.1:7001"}}, {}, dir / "airlock.env");
  CHECK(l.errors.empty());
  CHECK(l.config.log_level == LogLevel::kWarn);
  CHECK(l.config.listen_port == 7001);
  CHECK(l.config.idle_timeout_s == 7);
  CHECK(l.origins.at("AIRLOCK_LOG_LEVEL") == "file");
  CHECK(l.origins.at("AIRLOCK_LISTEN") == "env");
  auto f = load({{"AIRLOCK_LOG_LEVEL", "debug"}, {"AIRLOCK_LOG_LEVEL_FILE", dir / "level"}},
                {{"AIRLOCK_LISTEN", "127.0.0.1:7002"}});
  CHECK(f.errors.empty());
  CHECK(f.config.log_level == LogLevel::kError);
  CHECK(f.config.listen_port == 7002);
}

TEST_CASE("unknown keys in the file and flags are errors; unrelated environment is ignored", "[config]") {
  airlock::testing::TempDir dir;
  std::ofstream(dir / "airlock.env") << "AIRLOCK_LISTN=127.0.0.1:1\nnot a pair\n";
  auto l = load({{"AIRLOCK_BIN", "/x"}}, {}, dir / "airlock.env");
  CHECK(has_error(l, "AIRLOCK_LISTN: unknown setting"));
  CHECK(has_error(l, "line 2"));
  CHECK(l.errors.size() == 2);
  CHECK(has_error(load({}, {}, dir / "missing.env"), "cannot read"));
}

TEST_CASE("secrets are refused as flags and redacted by config show", "[config][V13.3.1]") {
  CHECK(has_error(load({}, {{"AIRLOCK_DB_KEY", "abc"}}), "not taken as flags"));
  auto l = load({{"AIRLOCK_DB_KEY", "hunter2-passphrase"}, {"AIRLOCK_MASTER_KEY", std::string(64, 'a')}});
  REQUIRE(l.errors.empty());
  auto shown = render_config(l);
  CHECK(shown.find("hunter2") == std::string::npos);
  CHECK(shown.find(std::string(64, 'a')) == std::string::npos);
  CHECK(shown.find("AIRLOCK_DB_KEY=(set, redacted)") != std::string::npos);
}

TEST_CASE("flags map to keys by name", "[config]") {
  CHECK(flag_to_key("--tls-cert-file") == "AIRLOCK_TLS_CERT_FILE");
  CHECK(flag_to_key("--listen") == "AIRLOCK_LISTEN");
  CHECK_FALSE(flag_to_key("--nope").has_value());
  CHECK_FALSE(flag_to_key("-listen").has_value());
}

TEST_CASE("the breached-password directory is off by default and must exist when set", "[config][V6.2.12]") {
  airlock::testing::TempDir dir;
  CHECK(load({}).config.breached_passwords_dir.empty());
  auto ok = load({{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir.path()}});
  CHECK(ok.errors.empty());
  CHECK(ok.config.breached_passwords_dir == dir.path());
  CHECK(has_error(load({{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir / "missing"}}),
                  "AIRLOCK_BREACHED_PASSWORDS_DIR: '" + (dir / "missing") + "' is not an existing directory"));
  std::ofstream(dir / "file") << "x";
  CHECK(has_error(load({}, {{"AIRLOCK_BREACHED_PASSWORDS_DIR", dir / "file"}}), "AIRLOCK_BREACHED_PASSWORDS_DIR:"));
}

TEST_CASE("the syslog target needs host:port and a readable CA file", "[config][V16.4.3]") {
  airlock::testing::TempDir dir;
  std::ofstream(dir / "ca.pem") << "x";
  CHECK(load({}).config.syslog_host.empty());
  auto ok = load({{"AIRLOCK_SYSLOG_TARGET", "logs.example.com:6514"}, {"AIRLOCK_SYSLOG_CA_FILE", dir / "ca.pem"}});
  CHECK(ok.errors.empty());
  CHECK(ok.config.syslog_host == "logs.example.com");
  CHECK(ok.config.syslog_port == 6514);
  auto v6 = load({{"AIRLOCK_SYSLOG_TARGET", "[::1]:6514"}, {"AIRLOCK_SYSLOG_CA_FILE", dir / "ca.pem"}});
  CHECK(v6.errors.empty());
  CHECK(v6.config.syslog_host == "::1");
  CHECK(render_config(v6).find("AIRLOCK_SYSLOG_TARGET=[::1]:6514") != std::string::npos);
  CHECK(has_error(load({{"AIRLOCK_SYSLOG_TARGET", "logs.example.com:6514"}}), "AIRLOCK_SYSLOG_CA_FILE: required"));
  CHECK(has_error(load({{"AIRLOCK_SYSLOG_CA_FILE", dir / "ca.pem"}}), "set without AIRLOCK_SYSLOG_TARGET"));
  CHECK(has_error(load({{"AIRLOCK_SYSLOG_TARGET", "h:1"}, {"AIRLOCK_SYSLOG_CA_FILE", dir / "none.pem"}}),
                  "AIRLOCK_SYSLOG_CA_FILE: cannot read"));
  for (const char* bad : {"logs.example.com", "logs.example.com:0", "logs.example.com:65536", "bad host:6514",
                          ":6514", "[::1:6514", "[not-v6]:6514", "a/b:6514"}) {
    INFO(bad);
    CHECK(has_error(load({{"AIRLOCK_SYSLOG_TARGET", bad}, {"AIRLOCK_SYSLOG_CA_FILE", dir / "ca.pem"}}),
                    "AIRLOCK_SYSLOG_TARGET:"));
  }
}

TEST_CASE("a CORS origin shorter than a scheme is an error, not an exception (found by fuzzing)", "[config]") {
  for (const char* v : {"x", "a,b", ":", "h:/", "https://", "http://a/b"}) {
    INFO(v);
    auto l = load({{"AIRLOCK_CORS_ORIGINS", v}});
    CHECK(has_error(l, "AIRLOCK_CORS_ORIGINS:"));
  }
  CHECK(load({{"AIRLOCK_CORS_ORIGINS", "https://app.example, http://localhost:3000"}}).errors.empty());
}
