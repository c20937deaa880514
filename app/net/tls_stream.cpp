#include "net/tls_stream.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <mbedtls/net_sockets.h>

#include "http/tls_policy.h"

namespace airlock::net {
namespace {

int send_cb(void* ctx, const unsigned char* buf, std::size_t len) {
  int fd = *static_cast<int*>(ctx);
  auto n = ::send(fd, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_WRITE;
  if (errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
  return MBEDTLS_ERR_NET_SEND_FAILED;
}

int recv_cb(void* ctx, unsigned char* buf, std::size_t len) {
  int fd = *static_cast<int*>(ctx);
  auto n = ::recv(fd, buf, len, 0);
  if (n >= 0) return static_cast<int>(n);  // 0: the peer closed (mbedTLS reports EOF)
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_READ;
  return MBEDTLS_ERR_NET_RECV_FAILED;
}

long map_io(int rc) {
  if (rc > 0) return rc;
  if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE ||
      rc == MBEDTLS_ERR_SSL_ASYNC_IN_PROGRESS || rc == MBEDTLS_ERR_SSL_CRYPTO_IN_PROGRESS)
    return TlsStream::kWant;
  if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_SSL_CONN_EOF) return 0;
  return TlsStream::kFailed;
}

}  // namespace

TlsServerConfig::TlsServerConfig() {
  mbedtls_entropy_init(&entropy_);
  mbedtls_ctr_drbg_init(&drbg_);
  mbedtls_x509_crt_init(&crt_);
  mbedtls_pk_init(&pk_);
  mbedtls_ssl_config_init(&conf_);
}

TlsServerConfig::~TlsServerConfig() {
  mbedtls_ssl_config_free(&conf_);
  mbedtls_pk_free(&pk_);
  mbedtls_x509_crt_free(&crt_);
  mbedtls_ctr_drbg_free(&drbg_);
  mbedtls_entropy_free(&entropy_);
}

core::Result<std::unique_ptr<TlsServerConfig>> TlsServerConfig::create(const std::string& cert_pem,
                                                                        const std::string& key_pem) {
  std::unique_ptr<TlsServerConfig> c(new TlsServerConfig());
  static const char kPers[] = "airlock-tls-server";
  auto fail = [] { return core::Status::error("tls_error", "the TLS certificate or key could not be loaded"); };
  if (mbedtls_ctr_drbg_seed(&c->drbg_, mbedtls_entropy_func, &c->entropy_,
                            reinterpret_cast<const unsigned char*>(kPers), sizeof kPers - 1) != 0)
    return fail();
  // PEM parsers want the terminating NUL counted in the length.
  if (mbedtls_x509_crt_parse(&c->crt_, reinterpret_cast<const unsigned char*>(cert_pem.c_str()),
                             cert_pem.size() + 1) != 0)
    return fail();
  if (mbedtls_pk_parse_key(&c->pk_, reinterpret_cast<const unsigned char*>(key_pem.c_str()), key_pem.size() + 1,
                           nullptr, 0, mbedtls_ctr_drbg_random, &c->drbg_) != 0)
    return fail();
  if (mbedtls_ssl_config_defaults(&c->conf_, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT) != 0)
    return fail();
  mbedtls_ssl_conf_rng(&c->conf_, mbedtls_ctr_drbg_random, &c->drbg_);
  if (mbedtls_ssl_conf_own_cert(&c->conf_, &c->crt_, &c->pk_) != 0) return fail();
  http::apply_server_tls_policy(&c->conf_);
  return c;
}

TlsStream::TlsStream(const mbedtls_ssl_config* conf, int fd, const char* host) : fd_(fd) {
  mbedtls_ssl_init(&ssl_);
  // Setup only fails on allocation; the handshake then reports the failure.
  mbedtls_ssl_setup(&ssl_, conf);
  if (host) mbedtls_ssl_set_hostname(&ssl_, host);
  mbedtls_ssl_set_bio(&ssl_, &fd_, send_cb, recv_cb, nullptr);
}

TlsStream::~TlsStream() { mbedtls_ssl_free(&ssl_); }

long TlsStream::handshake() {
  int rc = mbedtls_ssl_handshake(&ssl_);
  if (rc == 0) return 1;
  auto m = map_io(rc);
  return m == kWant ? kWant : kFailed;
}

long TlsStream::read(char* buf, std::size_t len) {
  return map_io(mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(buf), len));
}

long TlsStream::write(const char* buf, std::size_t len) {
  int rc = mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(buf), len);
  if (rc == 0) return kWant;  // nothing accepted: treat as "try again", never as closed
  return map_io(rc);
}

void TlsStream::close_notify() { mbedtls_ssl_close_notify(&ssl_); }

long socket_read(int fd, TlsStream* tls, char* buf, std::size_t len) {
  if (tls) return tls->read(buf, len);
  auto n = ::recv(fd, buf, len, 0);
  if (n >= 0) return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return TlsStream::kWant;
  return TlsStream::kFailed;
}

long socket_write(int fd, TlsStream* tls, const char* buf, std::size_t len) {
  if (tls) return tls->write(buf, len);
  auto n = ::send(fd, buf, len, MSG_NOSIGNAL);
  if (n > 0) return n;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return TlsStream::kWant;
  return TlsStream::kFailed;
}

}  // namespace airlock::net
