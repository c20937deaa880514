#include "net/tls_client.h"

#include "http/tls_policy.h"

namespace airlock::net {

TlsClientConfig::TlsClientConfig() {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
  mbedtls_x509_crt_init(&ca_);
  mbedtls_ssl_config_init(&conf_);
}

TlsClientConfig::~TlsClientConfig() {
  mbedtls_ssl_config_free(&conf_);
  mbedtls_x509_crt_free(&ca_);
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
}

core::Result<std::shared_ptr<TlsClientConfig>> TlsClientConfig::create(const std::string& ca_pem,
                                                                        const std::string& ca_file) {
  std::shared_ptr<TlsClientConfig> c(new TlsClientConfig());
  static const char kPers[] = "airlock-tls-client";
  if (mbedtls_ctr_drbg_seed(&c->drbg_, mbedtls_entropy_func, &c->entropy_,
                            reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1) != 0)
    return core::Status::error("tls_error", "no randomness for TLS");
  // A bundle may hold a few certificates mbedTLS cannot parse; what parsed is used (rc > 0 counts
  // those skipped). Nothing parsed means nothing to trust: refuse rather than connect unverified.
  int rc = ca_pem.empty() ? mbedtls_x509_crt_parse_file(&c->ca_, ca_file.c_str())
                          : mbedtls_x509_crt_parse(&c->ca_, reinterpret_cast<const unsigned char*>(ca_pem.c_str()),
                                                   ca_pem.size() + 1);
  if (rc < 0 || c->ca_.raw.len == 0)
    return core::Status::error("tls_error", "the upstream CA certificates could not be loaded");
  if (mbedtls_ssl_config_defaults(&c->conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0)
    return core::Status::error("tls_error", "TLS could not be set up");
  mbedtls_ssl_conf_rng(&c->conf_, mbedtls_ctr_drbg_random, &c->drbg_);
  mbedtls_ssl_conf_authmode(&c->conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&c->conf_, &c->ca_, nullptr);
  http::apply_client_tls_policy(&c->conf_);  // TLS 1.2/1.3, ECDHE with AEAD suites only
  return c;
}

}  // namespace airlock::net
