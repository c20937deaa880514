#pragma once
// The off-box copy of the audit trail (ASVS V16.4.3): one thread sends every audit event, in id
// order, to one syslog receiver as RFC 5424 over TLS in RFC 5425 octet-counting frames
// (audit/syslog_format.h), over a verified connection (audit/syslog_connection.h).
//
// Delivery is at-least-once, in order. The cursor (the last id delivered) lives in a file,
// <data_dir>/syslog.cursor (0600, replaced by rename), not in the database, so the forwarder never
// queues behind or competes with the store's writer. It reads rows with id > cursor in batches
// (polling every 500 ms), writes them, and moves the cursor only once the receiver's TCP has
// acknowledged the whole batch. On any error it drops the connection, waits (1 s, doubling to
// 30 s) and sends again from the cursor: a receiver may see a seq twice, never miss one on the way.
// The first start begins after the newest event; the history before it is not replayed.
//
// Thread safety: start() spawns the thread; stop() (also run by the destructor) wakes it, cuts any
// blocking I/O and joins. The database and the logger must outlive the forwarder.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit/syslog_format.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/result.h"
#include "egress/destination.h"
#include "egress/resolver.h"

namespace airlock::net {
class TlsClientConfig;
}
namespace airlock::store {
class Database;
}

namespace airlock::audit {

class SyslogConnection;

struct SyslogForwarderOptions {
  std::string host;  // also the name the receiver's certificate must carry
  int port = 0;
  std::string ca_file;
  std::string cursor_path;  // <data_dir>/syslog.cursor
  SyslogOrigin origin;      // HOSTNAME and PROCID; empty: gethostname() and the process id
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds io_timeout{10000};  // connect, handshake, each write, the acknowledgement
  int batch = 200;
};

// Reconnect delays: 1 s, 2 s, 4 s, ... capped at 30 s; reset() after a delivered batch.
class Backoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{1000};
  static constexpr std::chrono::milliseconds kMax{30000};
  std::chrono::milliseconds next();
  void reset() { next_ = kFirst; }

 private:
  std::chrono::milliseconds next_ = kFirst;
};

// The cursor file: one decimal id and a newline. nullopt when the file does not exist; an error
// ("syslog_cursor") when it cannot be read or holds anything else.
core::Result<std::optional<std::int64_t>> read_cursor(const std::string& path);
// Written to <path>.tmp (0600, no symlink followed), synced, renamed over `path`.
core::Status write_cursor(const std::string& path, std::int64_t id);

class SyslogForwarder {
 public:
  // Loads the CA (error "config_error" naming AIRLOCK_SYSLOG_CA_FILE when nothing parses), reads
  // or creates the cursor, logs where it sends, starts the thread.
  static core::Result<std::unique_ptr<SyslogForwarder>> start(store::Database& db, core::Logger& log,
                                                              const core::Clock& clock, SyslogForwarderOptions options);
  ~SyslogForwarder();
  SyslogForwarder(const SyslogForwarder&) = delete;
  SyslogForwarder& operator=(const SyslogForwarder&) = delete;

  void stop();

 private:
  SyslogForwarder(store::Database& db, core::Logger& log, const core::Clock& clock, SyslogForwarderOptions options);
  void run();
  // A connection-level error drops the connection; the caller backs off.
  core::Status deliver_batch(bool* sent_any);
  core::Status ensure_connected();
  // `graceful`: with a close_notify; otherwise the socket is cut first (after an error).
  void drop_connection(bool graceful);
  void note_failure(const core::Status& s);
  std::string target_text() const;
  // Waits up to `d` unless stop() is called; false once stopping.
  bool pause(std::chrono::milliseconds d);

  store::Database& db_;
  core::Logger& log_;
  const core::Clock& clock_;
  SyslogForwarderOptions options_;
  std::shared_ptr<net::TlsClientConfig> tls_;
  // The receiver through the egress dialer (resolved off-thread, answer kept for its TTL, every
  // address dialled one it gave), with a resolver of its own so both live exactly as long as the
  // forwarder. The operator chose the receiver: marked internal, the provider policy is not applied.
  std::unique_ptr<egress::Resolver> resolver_;
  std::shared_ptr<egress::Destination> receiver_;
  std::int64_t cursor_ = 0;
  bool cursor_unsaved_ = false;  // the last write_cursor failed (warned once)
  Backoff backoff_;
  // Failure reports, rate-limited: the first one at once, then one a minute with a count.
  std::uint64_t failures_ = 0;
  std::uint64_t unreported_ = 0;
  std::optional<core::Clock::SteadyTime> last_report_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool done_ = false;  // the thread has left its loop
  std::unique_ptr<SyslogConnection> conn_;  // replaced by the thread under mu_; interrupted by stop()
  std::thread thread_;
};

}  // namespace airlock::audit
