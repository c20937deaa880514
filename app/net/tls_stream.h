#pragma once
// TLS on a non-blocking socket, for the event loop (server side, and the upstream client side): mbedTLS with our policy
// (http/tls_policy.h). Every call returns at once; "want" means try again when the socket is
// ready, with the same arguments for a write (mbedTLS keeps the record it has already built).
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <memory>
#include <string>

#include "core/result.h"

namespace airlock::net {

// Certificate, key, DRBG and policy, shared read-only by every connection (mbedTLS is built with
// MBEDTLS_THREADING_C, so the DRBG takes its own lock on the rare handshake that needs it).
class TlsServerConfig {
 public:
  // `key_pem` is wiped by the caller; mbedTLS keeps its own parsed copy, freed (and wiped) with us.
  static core::Result<std::unique_ptr<TlsServerConfig>> create(const std::string& cert_pem,
                                                               const std::string& key_pem);
  ~TlsServerConfig();
  const mbedtls_ssl_config* conf() const { return &conf_; }

 private:
  TlsServerConfig();
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  mbedtls_x509_crt crt_;
  mbedtls_pk_context pk_;
  mbedtls_ssl_config conf_;
};

class TlsStream {
 public:
  enum : long { kWant = -1, kFailed = -2 };  // read/write results besides byte counts; 0 = closed
  TlsStream(const TlsServerConfig& config, int fd) : TlsStream(config.conf(), fd, nullptr) {}
  // Client side: `host` is sent as SNI (unless it is an IP literal) and checked against the
  // certificate's names by the handshake (IP SANs for an IP literal).
  TlsStream(const mbedtls_ssl_config* conf, int fd, const char* host);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // 1 when done, kWant to wait, kFailed when the peer is not a TLS 1.2/1.3 client we accept.
  long handshake();
  long read(char* buf, std::size_t len);
  long write(const char* buf, std::size_t len);
  // Best effort: a close_notify alert, without waiting for the peer's.
  void close_notify();

 private:
  int fd_;
  mbedtls_ssl_context ssl_;
};

// One read or write on a non-blocking socket, through `tls` when it is set: > 0 bytes,
// 0 closed (read), TlsStream::kWant or TlsStream::kFailed.
long socket_read(int fd, TlsStream* tls, char* buf, std::size_t len);
long socket_write(int fd, TlsStream* tls, const char* buf, std::size_t len);

}  // namespace airlock::net
