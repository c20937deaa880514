// Upstream TLS: chain and host name verified for named and IP-literal hosts alike. cpp-httplib
// 0.41.0's mbedTLS client skips chain verification for IP literals unless a verify callback is set
// (DEPENDENCIES.md §8); these cases fail without Airlock's callback.
#include <catch2/catch_test_macros.hpp>

#include "support/gateway_fixture.h"
#include "support/test_certs.h"

using namespace airlock::testing;
using nlohmann::json;

TEST_CASE("an upstream's certificate must chain to the configured CA and name the host, IP literals included",
          "[integration][gateway][tls][V12.3.2]") {
  TempDir d;
  make_ca(d, "ca-a");
  make_ca(d, "ca-b");
  make_leaf(d, "ip", "ca-a", "IP:127.0.0.1");
  make_leaf(d, "named", "ca-a", "DNS:vendor.example");
  auto ip_mock = MockUpstream::start(d, d / "ip.pem", d / "ip.key");
  auto named_mock = MockUpstream::start(d, d / "named.pem", d / "named.key");
  write_file(d / "vendor.key", kVendorKey);
  auto provider = [&](const std::string& name, const std::string& host, int port, const std::string& ca) {
    return json{{"name", name}, {"type", "openai"}, {"base_url", "https://" + host + ":" + std::to_string(port) + "/v1"},
                {"api_key_file", d / "vendor.key"}, {"ca_file", d / (ca + ".pem")}};
  };
  json prov = {{"providers",
                {provider("trusted-ip", "127.0.0.1", ip_mock->port, "ca-a"),
                 provider("untrusted-ip", "127.0.0.1", ip_mock->port, "ca-b"),
                 provider("wrong-name-ip", "127.0.0.1", named_mock->port, "ca-a"),
                 provider("ip-cert-by-name", "localhost", ip_mock->port, "ca-a")}},
               {"models", json::array()}};
  for (const char* p : {"trusted-ip", "untrusted-ip", "wrong-name-ip", "ip-cert-by-name"})
    prov["models"].push_back({{"name", p}, {"targets", {{{"provider", p}, {"model", "gpt-upstream"}}}}});
  write_file(d / "provision.json", prov.dump());
  // The operator opens loopback for these test vendors (AIRLOCK_EGRESS_ALLOW), as for an on-prem one.
  auto a = Airlock::start(d / "data", {{"AIRLOCK_PROVISION_FILE", d / "provision.json"},
                                       {"AIRLOCK_EGRESS_ALLOW", "127.0.0.1, localhost:" + std::to_string(ip_mock->port)}});
  std::string k = create_key(d / "data");

  auto call = [&](const std::string& model) { return chat(a->port(), k, model); };
  CHECK(call("trusted-ip").status == 200);
  for (const char* refused : {"untrusted-ip", "wrong-name-ip", "ip-cert-by-name"}) {
    INFO(refused);
    auto r = call(refused);
    CHECK(r.status == 502);
    CHECK(error_code(r) == "upstream_tls_error");
  }
  // Only the trusted one was ever served a request.
  CHECK(ip_mock->requests().size() == 1);
  CHECK(named_mock->requests().empty());
}
