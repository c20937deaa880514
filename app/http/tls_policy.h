#pragma once
// TLS policy for the listener's and the upstream client's mbedTLS configs:
// TLS 1.2 and 1.3 only; ECDHE key exchange with AEAD ciphers only (no CBC, no static RSA, no
// SHA-1 MACs); renegotiation is compiled out of our mbedTLS build; TLS has no compression in
// mbedTLS 3; no session tickets (no ticket callbacks are installed, so no ticket key can leak).
#include <mbedtls/ssl.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace airlock::http {

// Restricts versions, suites and groups on `conf`. Call before the first handshake.
void apply_server_tls_policy(mbedtls_ssl_config* conf);
// The same versions, suites and groups towards upstream vendors.
void apply_client_tls_policy(mbedtls_ssl_config* conf);

}  // namespace airlock::http
