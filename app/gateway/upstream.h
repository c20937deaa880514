#pragma once
// Talking to providers: one Provider per provider row, holding a bounded pool of keep-alive
// clients (HTTP/1.1, TCP_NODELAY), and a cap on concurrent requests. TLS goes through mbedTLS,
// verifying the chain against the system bundle (AIRLOCK_UPSTREAM_CA_FILE) or the provider's own CA,
// and the host name; a verify callback is always set, because without one cpp-httplib 0.41.0
// silently skips chain verification for IP-literal hosts (DEPENDENCIES.md §8). Redirects are never
// followed. The vendor key is decrypted for each request and only ever put in the auth header.
//
// Only upstream.cpp sees cpp-httplib. Thread-safe.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "crypto/field_cipher.h"
#include "gateway/breaker.h"
#include "gateway/upstream_url.h"
#include "store/catalog_repo.h"

namespace airlock::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct UpstreamRequest {
  std::string path;    // appended to the base URL's path, e.g. "/chat/completions"
  HeaderList headers;  // forwarded client headers (already filtered); auth and extras are added
  std::string body;
  std::chrono::milliseconds first_byte_timeout{0};  // 0: the provider's own
};

enum class Failure {
  kNone,
  kConnect,  // could not connect (refused, unreachable, DNS)
  kTimeout,  // connect or first byte took too long
  kTls,      // handshake, chain or host name verification failed
  kRead,     // the connection broke while reading the response
  kBusy,     // the provider's max_concurrent is reached
  kConfig,   // the provider cannot be used (its key does not decrypt, bad URL)
  kOpen,     // its circuit breaker is open: skipped without a connection attempt
};
const char* failure_name(Failure f);

struct UpstreamReply {
  Failure failure = Failure::kNone;
  int status = 0;
  std::string content_type;
  std::string body;
  HeaderList headers;  // response headers, lower-case names
  std::string header(std::string_view name) const;
};

// An upstream response being read as it arrives (SSE). Holds its connection and a concurrency slot
// until destroyed.
class UpstreamStream {
 public:
  virtual ~UpstreamStream() = default;
  virtual int status() const = 0;
  virtual std::string header(std::string_view name) const = 0;
  // Reads what has arrived (blocking up to the read timeout): > 0 bytes, 0 at the end, < 0 on error.
  virtual long read(char* buf, std::size_t len) = 0;
};

class Provider {
 public:
  Provider(const store::ProviderRow& row, UpstreamUrl url, crypto::FieldCipher& fields, std::string system_ca_file,
           const core::Clock& clock);
  ~Provider();
  const store::ProviderRow& row() const { return row_; }

  UpstreamReply send(const UpstreamRequest& req);
  // nullptr with `*failure` set when no response head arrived.
  std::unique_ptr<UpstreamStream> open_stream(const UpstreamRequest& req, Failure* failure);

  int in_flight() const { return in_flight_.load(); }
  CircuitBreaker& breaker() { return breaker_; }
  // Connections opened so far (for tests and metrics).
  int connections_made() const { return made_.load(); }

 private:
  struct Client;
  friend class StreamImpl;
  std::unique_ptr<Client> checkout();
  void give_back(std::unique_ptr<Client> c);
  bool auth_headers(HeaderList& out);

  store::ProviderRow row_;
  UpstreamUrl url_;
  crypto::FieldCipher& fields_;
  std::string system_ca_file_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Client>> idle_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> made_{0};
  CircuitBreaker breaker_;
};

// Providers by id, rebuilt when a row changes (so a new vendor key or URL holds from the next
// request).
class Upstreams {
 public:
  Upstreams(crypto::FieldCipher& fields, std::string system_ca_file, const core::Clock& clock)
      : fields_(fields), system_ca_file_(std::move(system_ca_file)), clock_(clock) {}
  // nullptr when the row's base URL does not parse (it was validated when written).
  std::shared_ptr<Provider> get(const store::ProviderRow& row);
  // The breaker state of every provider used so far, by provider id (console, metrics).
  std::vector<std::pair<std::int64_t, CircuitBreaker::State>> breaker_states();

 private:
  crypto::FieldCipher& fields_;
  std::string system_ca_file_;
  const core::Clock& clock_;
  std::mutex mu_;
  struct Entry {
    std::string fingerprint;
    std::shared_ptr<Provider> provider;
  };
  std::vector<std::pair<std::int64_t, Entry>> by_id_;
};

}  // namespace airlock::gateway
