#pragma once
// One connection to an upstream, driven by an event loop: non-blocking connect, TLS (verified,
// net/tls_client.h), one request at a time, the response head and body parsed strictly
// (net/http1.h) and handed to a sink as they arrive. Kept alive between exchanges by a ClientPool.
// Loop thread only.
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/event_loop.h"
#include "net/http1.h"
#include "net/tls_client.h"
#include "net/tls_stream.h"

namespace airlock::net {

enum class ClientError {
  kConnect,   // refused, unreachable, or no address
  kTimeout,   // connect, first byte or a gap in the body took too long
  kTls,       // handshake, chain or name verification failed
  kRead,      // the connection broke during the exchange
  kProtocol,  // the response was not HTTP/1.1 we accept
  kStale,     // a reused keep-alive connection was closed before any response byte: safe to retry
  kProxy,     // the egress proxy would not open the tunnel (refused, 407, closed, not HTTP)
};

struct ClientTimeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds first_byte{30'000};
  std::chrono::milliseconds idle{60'000};  // between pieces of the body
};

struct ClientTarget {
  ClientTarget() = default;
  ClientTarget(const ClientTarget&) = delete;
  ClientTarget& operator=(const ClientTarget&) = delete;
  ~ClientTarget();  // the tunnel request may carry proxy credentials: zeroed
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string host;                     // for SNI and the certificate check
  std::string tunnel;                   // a CONNECT request: `addr` is a proxy; TLS and HTTP run inside
  std::shared_ptr<TlsClientConfig> tls;  // null: plain HTTP
};

// What an exchange reports, on the loop thread. After on_complete or on_error nothing more comes.
class ClientSink {
 public:
  // The head's views are valid during the call only.
  virtual void on_head(const http1::ResponseHead& head) = 0;
  // Body bytes (de-chunked). Return false to pause; ClientConn::resume() continues.
  virtual bool on_body(std::string_view bytes) = 0;
  virtual void on_complete() = 0;
  virtual void on_error(ClientError e) = 0;

 protected:
  ~ClientSink() = default;
};

class ClientConn final : public Pollable, public std::enable_shared_from_this<ClientConn> {
 public:
  ClientConn(EventLoop& loop, std::shared_ptr<const ClientTarget> target);
  ~ClientConn();
  ClientConn(const ClientConn&) = delete;
  ClientConn& operator=(const ClientConn&) = delete;

  // Sends `request` (the whole message) and reports to `sink`, which must stay valid until it has
  // been told the outcome or abort() was called.
  void start(std::string request, ClientSink* sink, ClientTimeouts timeouts);
  void resume();
  // No more callbacks; the connection is closed (that is what cancels the upstream request).
  void abort();
  // After on_complete: the connection may serve another exchange.
  bool reusable() const { return state_ == State::done && reusable_; }
  bool reused() const { return exchanges_ > 1; }
  // In a pool between exchanges: any event (the peer closing, stray bytes) closes it.
  void park(std::function<void(ClientConn*)> on_closed);
  bool closed() const { return state_ == State::closed; }
  const ClientTarget* target() const { return target_.get(); }
  void on_events(std::uint32_t events) override;

 private:
  enum class State { fresh, connecting, tunnel_writing, tunnel_reading, handshaking, writing, reading, done, parked, closed };
  void connect();
  void connected();
  void tunnel_write();
  void tunnel_read();
  void inside();  // the socket reaches the upstream (directly or through the tunnel)
  void handshake();
  void write_request();
  void read_response();
  void process();
  void complete();
  void fail(ClientError e);
  void close();
  long io_read(char* buf, std::size_t len);
  long io_write(const char* buf, std::size_t len);
  void arm(std::chrono::milliseconds after, ClientError e);
  void disarm();

  EventLoop& loop_;
  std::shared_ptr<const ClientTarget> target_;
  int fd_ = -1;
  State state_ = State::fresh;
  std::unique_ptr<TlsStream> tls_;
  ClientSink* sink_ = nullptr;
  ClientTimeouts timeouts_;
  EventLoop::TimerId timer_ = 0;
  std::string request_;
  std::size_t written_ = 0;
  std::string in_;
  std::size_t in_off_ = 0;  // bytes of in_ already consumed (head, delivered body)
  std::size_t seen_ = 0;
  bool head_done_ = false;
  bool got_bytes_ = false;
  bool eof_ = false;
  bool paused_ = false;
  bool hup_ = false;  // the peer has closed its side: read to the end
  bool reusable_ = false;
  int exchanges_ = 0;
  http1::ResponseHead head_;
  http1::Framing framing_ = http1::Framing::none;
  std::uint64_t remaining_ = 0;
  std::unique_ptr<http1::ChunkedDecoder> chunked_;
  std::string decoded_;
  std::function<void(ClientConn*)> on_parked_close_;
};

// Idle keep-alive connections to one target, for one loop.
class ClientPool {
 public:
  // `made` counts the connections opened (shared by a provider's pools on every loop).
  ClientPool(EventLoop& loop, std::shared_ptr<const ClientTarget> target, std::size_t max_idle, std::atomic<int>& made);
  ~ClientPool();  // idle connections are closed on their loop
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;
  // An idle connection, or a new one (connected by start()).
  std::shared_ptr<ClientConn> acquire();
  // A new connection, never an idle one (the retry after a stale keep-alive connection).
  std::shared_ptr<ClientConn> fresh();
  // After on_complete; kept only if reusable and there is room.
  void release(std::shared_ptr<ClientConn> c);
  // Whether new connections go to this address (the provider's next pick usually is the same).
  bool aimed_at(const sockaddr_storage& addr, socklen_t len) const;
  // New connections go to `target`, another address than before: the idle ones, to the old
  // address, close.
  void retarget(std::shared_ptr<const ClientTarget> target);

 private:
  EventLoop& loop_;
  std::shared_ptr<const ClientTarget> target_;
  std::size_t max_idle_;
  std::vector<std::shared_ptr<ClientConn>> idle_;
  std::atomic<int>& made_;
};

}  // namespace airlock::net
