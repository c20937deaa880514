// TLS on the real binary, checked with an independent client (openssl s_client).
#include <catch2/catch_test_macros.hpp>

#include "support/console_client.h"
#include "support/harness.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

RunResult s_client(int port, const std::vector<std::string>& extra) {
  std::vector<std::string> argv{"/usr/bin/openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                                "-servername", "localhost"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_program(argv, {}, "Q\n", 20s);
}

bool handshake_ok(const RunResult& r) {
  return r.out.find("BEGIN CERTIFICATE") != std::string::npos && r.out.find("Cipher is (NONE)") == std::string::npos;
}

}  // namespace

TEST_CASE("TLS 1.3 and 1.2 handshakes succeed and TLS 1.0/1.1 are refused", "[integration][tls][V12.1.1]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  auto v13 = s_client(a->port(), {"-tls1_3"});
  INFO(v13.out << v13.err);
  CHECK(handshake_ok(v13));
  CHECK(v13.out.find("TLSv1.3") != std::string::npos);

  auto v12 = s_client(a->port(), {"-tls1_2"});
  INFO(v12.out << v12.err);
  CHECK(handshake_ok(v12));
  CHECK(v12.out.find("ECDHE") != std::string::npos);

  // SECLEVEL=0 so that the client is willing; the refusal must come from the server.
  for (const char* old : {"-tls1", "-tls1_1"}) {
    auto r = s_client(a->port(), {old, "-cipher", "DEFAULT@SECLEVEL=0"});
    INFO(old << "\n" << r.out << r.err);
    CHECK_FALSE(handshake_ok(r));
  }
}

TEST_CASE("only ECDHE AEAD suites are negotiable over TLS 1.2", "[integration][tls][V12.1.2]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  for (const char* weak : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "AES128-GCM-SHA256",
                           "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES128-GCM-SHA256"}) {
    auto r = s_client(a->port(), {"-tls1_2", "-cipher", weak});
    INFO(weak << "\n" << r.out << r.err);
    CHECK_FALSE(handshake_ok(r));
  }
  auto good = s_client(a->port(), {"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"});
  CHECK(handshake_ok(good));
  auto chacha = s_client(a->port(), {"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"});
  CHECK(handshake_ok(chacha));
}

TEST_CASE("the printed fingerprint is the certificate the server presents", "[integration][tls][V12.2.2]") {
  TempDir dir;
  auto a = Airlock::start(dir.path());
  REQUIRE_FALSE(a->fingerprint().empty());
  CHECK(a->stdout_text().find("TLS certificate SHA-256 fingerprint: " + a->fingerprint()) != std::string::npos);
  auto r = s_client(a->port(), {});
  auto x = run_program({"/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha256"}, {}, r.out);
  INFO(x.out << x.err);
  REQUIRE(x.exit_code == 0);
  CHECK(x.out.find("=" + a->fingerprint()) != std::string::npos);
  auto san = run_program({"/usr/bin/openssl", "x509", "-noout", "-ext", "subjectAltName"}, {}, r.out);
  CHECK(san.out.find("IP Address:127.0.0.1") != std::string::npos);
  CHECK(san.out.find("DNS:localhost") != std::string::npos);
}

TEST_CASE("the generated certificate and key are private files reused on restart", "[integration][tls]") {
  TempDir dir;
  std::string first;
  {
    auto a = Airlock::start(dir.path());
    first = a->fingerprint();
  }
  auto b = Airlock::start(dir.path());
  CHECK(b->fingerprint() == first);
  auto ls = run_program({"/usr/bin/stat", "-c", "%a", dir / "tls/key.pem", dir / "tls/cert.pem"});
  CHECK(ls.out == "600\n600\n");
}

TEST_CASE("a configured certificate is served instead of the generated one", "[integration][tls]") {
  TempDir dir;
  auto key = run_program({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", dir / "own.key", "-out", dir / "own.crt", "-days", "2", "-subj",
                          "/CN=gw.example", "-addext", "subjectAltName=DNS:gw.example"});
  REQUIRE(key.exit_code == 0);
  run_program({"/usr/bin/chmod", "600", dir / "own.key"});
  auto a = Airlock::start(dir / "data", {{"AIRLOCK_TLS_CERT_FILE", dir / "own.crt"}, {"AIRLOCK_TLS_KEY_FILE", dir / "own.key"}});
  auto r = s_client(a->port(), {});
  CHECK(r.out.find("CN = gw.example") != std::string::npos);
  auto fp = run_program({"/usr/bin/openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", dir / "own.crt"});
  CHECK(fp.out.find("=" + a->fingerprint()) != std::string::npos);
}

TEST_CASE("while the self-signed certificate is served, every start warns and every signed-in page says so",
          "[integration][tls][console]") {
  TempDir dir;
  {
    auto a = Airlock::start(dir / "data");
    auto b = owner_browser(*a);
    REQUIRE(sign_in(b, "owner@example.com").status == 303);
    auto page = b.get("/account");
    CHECK(page.body.find("id=\"self-signed\"") != std::string::npos);
    CHECK(page.body.find(a->fingerprint()) != std::string::npos);
    CHECK(b.get("/login").body.find("id=\"self-signed\"") == std::string::npos);  // signed-in pages only
  }
  {
    auto again = Airlock::start(dir / "data");  // not generated this time: still warned
    CHECK(again->wait_for_log([](const json& j) {
      return j.value("level", "") == "warn" && j.value("msg", "").find("self-signed") != std::string::npos;
    }));
  }
  // With the operator's certificate: no banner, no warning.
  auto key = run_program({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                          "-nodes", "-keyout", dir / "own.key", "-out", dir / "own.crt", "-days", "2", "-subj",
                          "/CN=gw.example", "-addext", "subjectAltName=DNS:gw.example,IP:127.0.0.1"});
  REQUIRE(key.exit_code == 0);
  run_program({"/usr/bin/chmod", "600", dir / "own.key"});
  auto own = Airlock::start(dir / "data2", {{"AIRLOCK_TLS_CERT_FILE", dir / "own.crt"}, {"AIRLOCK_TLS_KEY_FILE", dir / "own.key"}});
  auto b = owner_browser(*own);
  REQUIRE(sign_in(b, "owner@example.com").status == 303);
  CHECK(b.get("/account").body.find("id=\"self-signed\"") == std::string::npos);
  CHECK_FALSE(own->wait_for_log([](const json& j) { return j.value("msg", "").find("self-signed") != std::string::npos; }, 0s));
}
