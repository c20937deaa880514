#pragma once
// TLS settings for connections to one upstream: TLS 1.2/1.3, the chain verified against the
// provider's own CA (PEM) or the system bundle, the host name (or IP literal) checked against the
// certificate. Verification is mandatory: there is no switch that turns it off, and no callback
// that could be left unset (the trap cpp-httplib 0.41.0 has for IP-literal hosts).
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace airlock::net {

class TlsClientConfig {
 public:
  // `ca_pem` non-empty: trust only that; otherwise the bundle at `ca_file`.
  static core::Result<std::shared_ptr<TlsClientConfig>> create(const std::string& ca_pem, const std::string& ca_file);
  ~TlsClientConfig();
  TlsClientConfig(const TlsClientConfig&) = delete;
  TlsClientConfig& operator=(const TlsClientConfig&) = delete;
  const mbedtls_ssl_config* conf() const { return &conf_; }

 private:
  TlsClientConfig();
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_x509_crt ca_;
  mbedtls_ssl_config conf_;
};

}  // namespace airlock::net
