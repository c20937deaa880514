#pragma once
// Throwaway certificates for TLS tests, made with the openssl command line: a CA, and leaves it
// signs for the names or addresses a test needs (P-256, two days).
#include <string>
#include <vector>

#include "support/gateway_fixture.h"

namespace airlock::testing {

inline void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run_program(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

// d/<name>.pem and d/<name>.key: a self-signed CA.
inline void make_ca(const TempDir& d, const std::string& name) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", d / (name + ".key"),
           "-out", d / (name + ".pem"), "-subj", "/CN=" + name, "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign"});
}

// d/<name>.pem and d/<name>.key: a server certificate from CA `ca` with subjectAltName `san`
// ("DNS:vendor.example", "IP:127.0.0.1").
inline void make_leaf(const TempDir& d, const std::string& name, const std::string& ca, const std::string& san) {
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", d / (name + ".key"), "-out",
           d / (name + ".csr"), "-subj", "/CN=leaf"});
  write_file(d / (name + ".ext"), "subjectAltName=" + san + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  openssl({"x509", "-req", "-in", d / (name + ".csr"), "-CA", d / (ca + ".pem"), "-CAkey", d / (ca + ".key"),
           "-CAcreateserial", "-out", d / (name + ".pem"), "-days", "2", "-extfile", d / (name + ".ext")});
}

}  // namespace airlock::testing
