#pragma once
// First-start TLS certificate: a self-signed ECDSA P-256 / SHA-256 server certificate (ASVS
// V11.6.1), so Airlock never has to fall back to cleartext (V12.2.1). Clients pin it by the
// SHA-256 fingerprint printed at start; operators with a real certificate configure it instead
// (V12.2.2: the self-signed default is for loopback and first setup).
//
// Certificate: X.509 v3, subject = issuer = "CN=Airlock self-signed", 16-byte positive random
// serial, valid from now-1h (tolerates clients whose clock runs a little behind) to now+397 days
// (inside the CA/Browser Forum's 398-day limit, so no client policy sees it as over-long),
// SubjectAltName = the given DNS names and IP addresses, basicConstraints CA:FALSE,
// keyUsage digitalSignature, extendedKeyUsage serverAuth.
//
// Randomness: an mbedTLS CTR_DRBG seeded from the OS entropy source inside each call (key,
// serial, signature blinding); nothing is shared with other threads.
#include <chrono>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/hash.h"

namespace airlock::crypto {

struct SelfSignedCert {
  std::string cert_pem;
  core::SecretBytes key_pem;       // SEC1 "EC PRIVATE KEY" PEM; wiped when dropped
  std::string sha256_fingerprint;  // "AB:CD:…", as `openssl x509 -noout -fingerprint -sha256` prints
};

// dns_names: host names such as "localhost" or "*.example.com" (letters, digits, '-', '.', and an
// optional leading "*."). ip_addresses: IPv4 or IPv6 literals, e.g. "127.0.0.1", "::1"; the caller
// includes 127.0.0.1. At least one entry in total, at most 100.
// Errors: "tls_san_invalid" (bad name or address; the message names it), "tls_cert_failed"
// (mbedTLS failure; detail has the code).
core::Result<SelfSignedCert> generate_self_signed(const std::vector<std::string>& dns_names,
                                                  const std::vector<std::string>& ip_addresses,
                                                  std::chrono::system_clock::time_point now);

// SHA-256 fingerprint of the first certificate in a PEM file (the leaf, by convention), in the
// same format. Error "cert_invalid" when the text holds no parsable PEM certificate.
core::Result<std::string> cert_fingerprint_from_pem(const std::string& pem);

// "AB:CD:…" form of SHA-256 over a DER certificate.
std::string sha256_fingerprint(ByteView der);

}  // namespace airlock::crypto
