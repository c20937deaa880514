#pragma once
// Talking to providers: one Provider per provider row, with keep-alive connection pools (one per
// event loop, net/client_conn.h), a cap on concurrent requests across loops, and a circuit
// breaker. TLS verifies the chain against the system bundle (AIRLOCK_UPSTREAM_CA_FILE) or the
// provider's own CA, and the host name or IP literal. Redirects are never followed (a 3xx is just
// an answer). The vendor key is decrypted for each request and only ever put in the auth header.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "crypto/field_cipher.h"
#include "gateway/breaker.h"
#include "core/log.h"
#include "egress/destination.h"
#include "gateway/deps.h"
#include "net/client_conn.h"
#include "store/catalog_repo.h"

namespace airlock::gateway {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

enum class Failure {
  kNone,
  kConnect,  // could not connect (refused, unreachable, DNS)
  kTimeout,  // connect, first byte or a gap in the body took too long
  kTls,      // handshake, chain or host name verification failed
  kRead,     // the connection broke while reading the response, or it was not HTTP we accept
  kBusy,     // the provider's max_concurrent is reached
  kConfig,   // the provider cannot be used (its key does not decrypt, a header that is not safe)
  kOpen,     // its circuit breaker is open: skipped without a connection attempt
  kRefused,  // the egress policy refuses its destination (or what its name resolves to)
  kProxy,    // the egress proxy would not open a tunnel (the operator's proxy, not the provider)
};
const char* failure_name(Failure f);
Failure failure_of(net::ClientError e);

// Holds one of a provider's max_concurrent slots for as long as it lives.
class Slot {
 public:
  explicit Slot(std::atomic<int>& c) : counter_(&c) {}
  Slot(Slot&& o) noexcept : counter_(std::exchange(o.counter_, nullptr)) {}
  Slot& operator=(Slot&& o) noexcept {
    if (this != &o) {
      release();
      counter_ = std::exchange(o.counter_, nullptr);
    }
    return *this;
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() { release(); }

 private:
  void release() {
    if (counter_) counter_->fetch_sub(1);
    counter_ = nullptr;
  }
  std::atomic<int>* counter_;
};

class Provider : public std::enable_shared_from_this<Provider> {
 public:
  Provider(const store::ProviderRow& row, egress::Url url, std::shared_ptr<egress::Destination> destination,
           crypto::FieldCipher& fields, std::string system_ca_file, const core::Clock& clock);
  ~Provider();
  const store::ProviderRow& row() const { return row_; }

  std::optional<Slot> take_slot();
  // The whole HTTP/1.1 request: our Host, auth, User-Agent and extra headers, the forwarded client
  // headers, the body. nullopt (Failure::kConfig) when the vendor key does not open or any header
  // name or value would not be a single clean header line (CR, LF, NUL): nothing taken from a
  // client or from provider settings can split the request. A GET carries no body or Content-Type.
  std::optional<std::string> build_request(std::string_view method, std::string_view path, const HeaderList& forwarded,
                                           std::string_view body, bool stream);
  // Where to send the next request from `loop` (loop thread only): the egress destination picks a
  // checked address (resolving off the loop when it must), then `done` runs on `loop` with that
  // loop's pool for it, or with nullptr and the refusal or DNS failure (or TLS that cannot be set
  // up: pick.error "tls_config"). `done` may run before dial() returns.
  using Dialled = std::function<void(net::ClientPool*, const egress::Pick&)>;
  void dial(net::EventLoop& loop, Dialled done);
  // This loop's pool, aimed at `address` (one the destination checked). Loop thread only; nullptr
  // when TLS cannot be set up.
  net::ClientPool* pool_for(net::EventLoop& loop, const core::IpAddress& address);
  // `address` would not connect: the destination offers another first from now on.
  void demote(const core::IpAddress& address) { destination_->demote(address); }
  // The loop is ending: its pool (and the sockets registered on it) goes first.
  void drop_pool(net::EventLoop& loop);
  net::ClientTimeouts timeouts(bool reasoning) const;

  int in_flight() const { return in_flight_.load(); }
  CircuitBreaker& breaker() { return breaker_; }
  int connections_made() const { return made_.load(); }

 private:
  store::ProviderRow row_;
  egress::Url url_;
  std::shared_ptr<egress::Destination> destination_;
  crypto::FieldCipher& fields_;
  std::string system_ca_file_;
  HeaderList extra_headers_;  // parsed once from the row
  std::mutex mu_;
  std::unordered_map<net::EventLoop*, std::unique_ptr<net::ClientPool>> pools_;
  std::shared_ptr<net::TlsClientConfig> tls_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> made_{0};
  CircuitBreaker breaker_;
};

// Providers by id, rebuilt when a row changes (so a new vendor key or URL holds from the next
// request).
class Upstreams {
 public:
  Upstreams(Deps& deps, std::string system_ca_file, core::Logger& log)
      : deps_(deps), system_ca_file_(std::move(system_ca_file)), log_(log) {}
  // nullptr when the row's base URL does not parse (it was validated when written).
  std::shared_ptr<Provider> get(const store::ProviderRow& row);
  // The breaker state of every provider used so far, by provider id (console, metrics).
  std::vector<std::pair<std::int64_t, CircuitBreaker::State>> breaker_states();
  struct ProviderStats {
    std::int64_t id;
    std::string name;
    CircuitBreaker::State circuit;
    int in_flight;
    int connections_made;
  };
  std::vector<ProviderStats> stats();

 private:
  std::shared_ptr<Provider> make(const store::ProviderRow& row);
  Deps& deps_;
  std::string system_ca_file_;
  core::Logger& log_;
  std::mutex mu_;
  struct Entry {
    std::string fingerprint;
    std::shared_ptr<Provider> provider;
  };
  std::vector<std::pair<std::int64_t, Entry>> by_id_;
};

}  // namespace airlock::gateway
