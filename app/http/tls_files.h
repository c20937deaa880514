#pragma once
// The server certificate: the configured PEM pair, or on first start a self-signed ECDSA P-256
// certificate for the configured host names and 127.0.0.1, written to <data>/tls/ (0600) and
// reused on later starts.
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"

namespace airlock::http {

struct TlsFiles {
  std::string cert_pem;
  std::string key_pem;
  std::string fingerprint;  // SHA-256 of the leaf certificate's DER, AA:BB:… as openssl prints it
  std::string cert_path;
  bool generated = false;   // created by this start
  bool self_signed = false; // ours, not the operator's
};

core::Result<TlsFiles> load_or_create_tls(const core::Config& config, const core::Clock& clock);

}  // namespace airlock::http
