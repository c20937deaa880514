// The CLI as an operator uses it.
#include <signal.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <sstream>

#include "support/harness.h"

using namespace airlock::testing;

TEST_CASE("every command has --help and exits 0 with it", "[integration][cli]") {
  for (std::vector<std::string> cmd : {std::vector<std::string>{"serve"}, {"version"}, {"config", "check"},
                                       {"config", "show"}, {"healthcheck"}}) {
    std::vector<std::string> argv{airlock_bin()};
    argv.insert(argv.end(), cmd.begin(), cmd.end());
    argv.push_back("--help");
    auto r = run_program(argv);
    INFO(cmd[0]);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage: airlock") != std::string::npos);
  }
  auto none = run_program({airlock_bin()});
  CHECK(none.exit_code == 2);
  auto unknown = run_program({airlock_bin(), "frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown command") != std::string::npos);
}

TEST_CASE("config check lists every problem by key and exits 2", "[integration][cli]") {
  auto r = run_program({airlock_bin(), "config", "check", "--listen", "nowhere", "--log-level=shout"},
                       {{"AIRLOCK_MAX_BODY_BYTES", "lots"}, {"AIRLOCK_PLAIN_HTTP", "maybe"}});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  for (const char* key : {"AIRLOCK_LISTEN", "AIRLOCK_LOG_LEVEL", "AIRLOCK_MAX_BODY_BYTES", "AIRLOCK_PLAIN_HTTP"})
    CHECK(r.err.find(std::string(key) + ":") != std::string::npos);
  CHECK(r.err.find("4 problem(s)") != std::string::npos);
  auto ok = run_program({airlock_bin(), "config", "check"});
  CHECK(ok.exit_code == 0);
  auto serve = run_program({airlock_bin(), "serve", "--listen", "nowhere"});
  CHECK(serve.exit_code == 2);
}

TEST_CASE("plain HTTP refuses a public bind without trusted proxies", "[integration][cli][V12.2.1]") {
  auto r = run_program({airlock_bin(), "config", "check"},
                       {{"AIRLOCK_PLAIN_HTTP", "true"}, {"AIRLOCK_LISTEN", "0.0.0.0:8080"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("AIRLOCK_TRUSTED_PROXIES") != std::string::npos);
}

TEST_CASE("config show redacts secrets and says where each value came from", "[integration][cli]") {
  TempDir dir;
  std::ofstream(dir / "airlock.env") << "AIRLOCK_LOG_LEVEL=warn\n";
  auto r = run_program({airlock_bin(), "config", "show", "--config", dir / "airlock.env", "--idle-timeout=9"},
                       {{"AIRLOCK_DB_KEY", "super-secret-passphrase"}, {"AIRLOCK_LISTEN", "127.0.0.1:9443"}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("super-secret-passphrase") == std::string::npos);
  CHECK(r.out.find("AIRLOCK_DB_KEY=(set, redacted)") != std::string::npos);
  CHECK(r.out.find("AIRLOCK_LOG_LEVEL=warn    # file") != std::string::npos);
  CHECK(r.out.find("AIRLOCK_LISTEN=127.0.0.1:9443    # env") != std::string::npos);
  CHECK(r.out.find("AIRLOCK_IDLE_TIMEOUT=9    # flag") != std::string::npos);
  auto flag_secret = run_program({airlock_bin(), "config", "show", "--db-key=abc"});
  CHECK(flag_secret.exit_code == 2);
}

TEST_CASE("version names the linked libraries", "[integration][cli]") {
  auto r = run_program({airlock_bin(), "version"});
  CHECK(r.exit_code == 0);
  for (const char* lib : {"airlock ", "SQLCipher 4.6.1", "Mbed TLS 3.6.7", "nlohmann/json 3.11.3", "cpp-httplib 0.41.0",
                          "sqlcipher 4.6.1-2"})
    CHECK(r.out.find(lib) != std::string::npos);
}

TEST_CASE("version --sbom prints a CycloneDX SBOM naming every pin with its version and SHA-256",
          "[integration][cli][V15.1.1][V15.1.2]") {
  const char* src = std::getenv("AIRLOCK_SOURCE_DIR");
  REQUIRE(src != nullptr);
  std::ifstream pins_in(std::string(src) + "/third_party/pins.txt");
  REQUIRE(pins_in.good());

  auto r = run_program({airlock_bin(), "version", "--sbom"});
  REQUIRE(r.exit_code == 0);
  auto bom = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  REQUIRE(bom.is_object());
  CHECK(bom.value("bomFormat", "") == "CycloneDX");
  CHECK(bom.value("specVersion", "") == "1.5");
  CHECK(bom.value("version", 0) == 1);
  CHECK_FALSE(bom.contains("serialNumber"));  // reproducible: same inputs, same bytes
  CHECK_FALSE(bom["metadata"].contains("timestamp"));
  CHECK(bom["metadata"]["component"].value("name", "") == "airlock");
  REQUIRE(bom["components"].is_array());

  auto is_sha256 = [](const nlohmann::json& h) {
    if (!h.is_object() || h.value("alg", "") != "SHA-256") return false;
    std::string c = h.value("content", "");
    return c.size() == 64 && c.find_first_not_of("0123456789abcdef") == std::string::npos;
  };
  std::size_t pins = 0;
  std::string line;
  while (std::getline(pins_in, line)) {
    std::istringstream fields(line);
    std::string kind, name, version;
    if (!(fields >> kind >> name >> version) || kind[0] == '#') continue;
    ++pins;
    INFO(line);
    const nlohmann::json* found = nullptr;
    for (const auto& c : bom["components"])
      for (const auto& p : c.value("properties", nlohmann::json::array()))
        if (p.value("name", "") == "airlock:pin" && p.value("value", "") == kind + " " + name + " " + version) found = &c;
    REQUIRE(found != nullptr);
    CHECK(found->value("type", "") == "library");
    // A `deb` pin is a binary package of the source package the purl names; same version here.
    CHECK(found->value("version", "") == version);
    CHECK(found->value("purl", "").starts_with("pkg:deb/debian/"));
    CHECK(found->value("purl", "").ends_with("?arch=source"));
    REQUIRE(found->contains("hashes"));
    REQUIRE_FALSE((*found)["hashes"].empty());
    for (const auto& h : (*found)["hashes"]) CHECK(is_sha256(h));
  }
  CHECK(pins >= 10);

  // The statically linked runtime that is not a pin is listed too, marked as from the build host.
  std::size_t host = 0;
  for (const auto& c : bom["components"])
    for (const auto& p : c.value("properties", nlohmann::json::array()))
      if (p.value("name", "") == "airlock:origin" && p.value("value", "") == "build-host") {
        ++host;
        CHECK(c.contains("hashes"));
      }
  CHECK(host >= 3);  // OpenSSL's libcrypto, glibc, GCC's runtime (and the password list)

  auto plain = run_program({airlock_bin(), "version"});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out.starts_with("airlock "));
  CHECK(plain.out.find("bomFormat") == std::string::npos);
  CHECK(run_program({airlock_bin(), "version", "--sbomb"}).exit_code == 2);
}

TEST_CASE("healthcheck reports a running instance healthy and a stopped one not", "[integration][cli]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  Env env{{"AIRLOCK_DATA_DIR", dir.path()}, {"AIRLOCK_LISTEN", "127.0.0.1:" + std::to_string(a->port())}};
  auto ok = run_program({airlock_bin(), "healthcheck"}, env);
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  a->send_signal(SIGTERM);
  REQUIRE(a->wait_exit() == 0);
  auto down = run_program({airlock_bin(), "healthcheck"}, env);
  CHECK(down.exit_code == 1);
}

TEST_CASE("README documents every configuration key the binary knows", "[integration][cli]") {
  const char* src = std::getenv("AIRLOCK_SOURCE_DIR");
  REQUIRE(src != nullptr);
  std::ifstream in(std::string(src) + "/README.md");
  std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_FALSE(readme.empty());
  auto help = run_program({airlock_bin(), "config", "check", "--help"});
  std::size_t pos = 0, keys = 0;
  while ((pos = help.out.find("AIRLOCK_", pos)) != std::string::npos) {
    auto end = help.out.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", pos);
    std::string key = help.out.substr(pos, end - pos);
    INFO(key);
    CHECK(readme.find("`" + key + "`") != std::string::npos);
    ++keys;
    pos = end;
  }
  CHECK(keys >= 24);
}
