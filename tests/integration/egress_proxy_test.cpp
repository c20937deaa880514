// The egress CONNECT proxy (AIRLOCK_EGRESS_PROXY) against a real one: Debian's tinyproxy, started
// here with Basic credentials, in a mount namespace whose /etc/hosts alone knows the vendor's name.
// Airlock never resolves that name (its own namespace could not); it tunnels, then verifies the
// vendor's certificate inside the tunnel as on a direct connection. NO_PROXY destinations go direct;
// the egress policy still judges the destination as Airlock knows it (ASVS V1.3.6, V12.3.1).
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <sstream>

#include "support/dns_server.h"
#include "support/gateway_fixture.h"
#include "support/test_certs.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

int unused_port() {
  AcceptCounter probe;
  REQUIRE(probe.start("127.0.0.1"));
  return probe.port();
}

// tinyproxy in the foreground, in a namespace where vendor.example is 127.0.0.1.
struct Tinyproxy {
  pid_t pid = -1;
  int port = 0;
  std::string log;
  Tinyproxy(const TempDir& d, const std::string& user, const std::string& password) {
    port = unused_port();
    log = d / "tinyproxy.log";
    write_file(d / "tinyproxy.conf",
               "Port " + std::to_string(port) + "\nListen 127.0.0.1\nTimeout 30\nMaxClients 16\nAllow 127.0.0.1\n"
               "LogFile \"" + log + "\"\nLogLevel Connect\nDisableViaHeader Yes\nBasicAuth " + user + " " + password + "\n",
               0644);
    write_file(d / "proxy-hosts", "127.0.0.1 localhost\n127.0.0.1 vendor.example\n", 0644);
    pid = spawn_background({"/usr/bin/unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                            "mount --bind '" + d / "proxy-hosts" + "' /etc/hosts && exec tinyproxy -d -c '" +
                                d / "tinyproxy.conf" + "'"},
                           {}, d / "tinyproxy.out");
    // Ready when it accepts a connection (polled: it is another process starting).
    for (int i = 0; i < 500 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  static bool accepts(int p) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(p));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }
  ~Tinyproxy() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
  std::string connects() const { return read_text_file(log); }
};

}  // namespace

TEST_CASE("provider traffic goes through an HTTPS CONNECT proxy, verified inside the tunnel",
          "[integration][egress][proxy][V12.3.1]") {
  TempDir d;
  make_ca(d, "ca-a");
  make_ca(d, "ca-b");
  make_leaf(d, "vendor", "ca-a", "DNS:vendor.example");
  auto tls_mock = MockUpstream::start(d, d / "vendor.pem", d / "vendor.key");
  auto plain_mock = MockUpstream::start(d);
  Tinyproxy proxy(d, "airlock", "proxy-secret-0123");
  REQUIRE(proxy.pid > 0);
  write_file(d / "vendor.key", kVendorKey);
  write_file(d / "proxy.credentials", "airlock:proxy-secret-0123\n");
  write_file(d / "wrong.credentials", "airlock:not-the-password\n");
  auto port = std::to_string(tls_mock->port);
  json prov = {
      {"providers",
       {{{"name", "vendor"}, {"type", "openai"}, {"base_url", "https://vendor.example:" + port + "/v1"},
         {"api_key_file", d / "vendor.key"}, {"ca_file", d / "ca-a.pem"}},
        {{"name", "vendor-other-ca"}, {"type", "openai"}, {"base_url", "https://vendor.example:" + port + "/v1"},
         {"api_key_file", d / "vendor.key"}, {"ca_file", d / "ca-b.pem"}},
        {{"name", "vault"}, {"type", "openai"}, {"base_url", "https://vault.corp.example:" + port + "/v1"},
         {"api_key_file", d / "vendor.key"}, {"ca_file", d / "ca-a.pem"}},
        {{"name", "local"}, {"type", "openai"}, {"base_url", plain_mock->base("/v1")}, {"internal", true}}}},
      {"models",
       {{{"name", "vendor"}, {"targets", {{{"provider", "vendor"}, {"model", "gpt-upstream"}}}}},
        {{"name", "vendor-other-ca"}, {"targets", {{{"provider", "vendor-other-ca"}, {"model", "gpt-upstream"}}}}},
        {{"name", "vault"}, {"targets", {{{"provider", "vault"}, {"model", "gpt-upstream"}}}}},
        {{"name", "local"}, {"targets", {{{"provider", "local"}, {"model", "gpt-upstream"}}}}}}}};
  write_file(d / "provision.json", prov.dump());
  // Airlock's own DNS (scripted, bound over /etc/resolv.conf): it knows nothing of vendor.example,
  // and says vault.corp.example is inside the network.
  DnsServer dns;
  REQUIRE(dns.start("127.0.0.77"));
  dns.set("vault.corp.example", {{{"10.20.0.7"}}, 300, {}});
  write_file(d / "resolv.conf", "nameserver 127.0.0.77\n", 0644);
  Env env = {{"AIRLOCK_PROVISION_FILE", d / "provision.json"},
             {"AIRLOCK_TEST_MOUNTS", d / "resolv.conf" + ":/etc/resolv.conf"},
             {"AIRLOCK_EGRESS_PROXY", "http://127.0.0.1:" + std::to_string(proxy.port)},
             {"AIRLOCK_EGRESS_PROXY_CREDENTIALS_FILE", d / "proxy.credentials"},
             {"AIRLOCK_EGRESS_NO_PROXY", "127.0.0.1"}};
  auto a = Airlock::start(d / "data", env);
  std::string k = create_key(d / "data");
  auto call = [&](Airlock& on, const std::string& model) { return chat(on.port(), k, model); };

  auto through = call(*a, "vendor");
  INFO(through.body << "\n" << proxy.connects());
  CHECK(through.status == 200);
  REQUIRE(tls_mock->requests().size() == 1);
  CHECK(tls_mock->requests()[0]["headers"]["authorization"] == std::string("Bearer ") + kVendorKey);
  CHECK(tls_mock->requests()[0]["headers"]["host"] == "vendor.example:" + port);
  auto log = proxy.connects();
  CHECK(log.find("vendor.example") != std::string::npos);
  CHECK(log.find("proxy-secret") == std::string::npos);

  // The same vendor under a CA that did not issue its certificate: the tunnel opens, TLS refuses.
  auto other_ca = call(*a, "vendor-other-ca");
  CHECK(other_ca.status == 502);
  CHECK(error_code(other_ca) == "upstream_tls_error");
  CHECK(tls_mock->requests().size() == 1);

  CHECK(dns.queries("vendor.example") >= 1);  // asked, knew nothing: left to the proxy

  // A name Airlock's own DNS puts inside the network is refused before the proxy hears of it.
  auto vault = call(*a, "vault");
  CHECK(vault.status == 502);
  CHECK(error_code(vault) == "upstream_egress_refused");
  CHECK(proxy.connects().find("vault.corp.example") == std::string::npos);

  // NO_PROXY: the loopback vendor is reached directly; the proxy never hears of it.
  CHECK(call(*a, "local").status == 200);
  CHECK(proxy.connects().find(":" + std::to_string(plain_mock->port)) == std::string::npos);
  // The credentials stay out of Airlock's log.
  for (const auto& line : a->log_lines()) CHECK(line.find("proxy-secret") == std::string::npos);
  a.reset();

  // Wrong credentials: the proxy answers 407 and nothing reaches the vendor.
  env["AIRLOCK_EGRESS_PROXY_CREDENTIALS_FILE"] = d / "wrong.credentials";
  auto b = Airlock::start(d / "data", env);
  auto refused = call(*b, "vendor");
  CHECK(refused.status == 502);
  CHECK(error_code(refused) == "upstream_unreachable");
  CHECK(tls_mock->requests().size() == 1);
}

TEST_CASE("through the proxy the policy still judges the destination as Airlock knows it",
          "[integration][egress][proxy][V1.3.6]") {
  TempDir d;
  Tinyproxy proxy(d, "airlock", "proxy-secret-0123");
  REQUIRE(proxy.pid > 0);
  write_file(d / "provision.json",
             json{{"providers", {{{"name", "metadata"}, {"type", "openai"}, {"base_url", "https://169.254.169.254/latest"}}}}}.dump());
  auto r = run_program({airlock_bin(), "config", "check"},
                       {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_PROVISION_FILE", d / "provision.json"},
                        {"AIRLOCK_EGRESS_PROXY", "http://127.0.0.1:" + std::to_string(proxy.port)}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("providers[0].base_url: 169.254.169.254 is cloud metadata") != std::string::npos);
  for (const char* bad : {"https://127.0.0.1:3128", "http://127.0.0.1:3128/path", "http://user:pw@127.0.0.1:3128"}) {
    auto c = run_program({airlock_bin(), "config", "check"}, {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_EGRESS_PROXY", bad}});
    INFO(bad << "\n" << c.err);
    CHECK(c.exit_code == 2);
    CHECK(c.err.find("AIRLOCK_EGRESS_PROXY: ") != std::string::npos);
  }
  auto orphan = run_program({airlock_bin(), "config", "check"},
                            {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_EGRESS_PROXY_CREDENTIALS", "a:b"}});
  CHECK(orphan.exit_code == 2);
  CHECK(orphan.err.find("set without AIRLOCK_EGRESS_PROXY") != std::string::npos);
  CHECK(orphan.err.find("a:b") == std::string::npos);
  CHECK(proxy.connects().find("Request (") == std::string::npos);  // no request reached the proxy
}
