#include "http/tls_policy.h"

#include <mbedtls/ssl_ciphersuites.h>

namespace airlock::http {
namespace {

// Order is preference. TLS 1.3 suites are all AEAD by definition; the TLS 1.2 ones are the ECDHE +
// AES-GCM / ChaCha20-Poly1305 set recommended by RFC 9325 §4.2.
const int kSuites[] = {
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

const uint16_t kGroups[] = {
    MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
    MBEDTLS_SSL_IANA_TLS_GROUP_NONE,
};

}  // namespace

void apply_server_tls_policy(mbedtls_ssl_config* conf) {
  mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
  mbedtls_ssl_conf_ciphersuites(conf, kSuites);
  mbedtls_ssl_conf_groups(conf, kGroups);
  // TLS 1.3: (EC)DHE only; no PSK-only resumption that would skip forward secrecy.
  mbedtls_ssl_conf_tls13_key_exchange_modes(conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
  // Don't issue TLS 1.3 NewSessionTicket messages (no ticket keys to rotate or leak).
  mbedtls_ssl_conf_new_session_tickets(conf, 0);
#endif
}

void apply_client_tls_policy(mbedtls_ssl_config* conf) {
  mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
  mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
  mbedtls_ssl_conf_ciphersuites(conf, kSuites);
  mbedtls_ssl_conf_groups(conf, kGroups);
}

}  // namespace airlock::http
