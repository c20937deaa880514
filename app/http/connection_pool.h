#pragma once
// Runs each accepted connection on a worker thread for its whole life (cpp-httplib's model), with
// what the library's own pool lacks:
//  - a hard cap on concurrent connections (excess ones are closed at accept),
//  - a deadline for the request head: a client that trickles its headers (slowloris) is cut off
//    after header_timeout even if every single read arrives in time,
//  - a drain on shutdown: in-flight requests get drain_timeout to finish, then are cut.
// Threads are created on demand up to the cap, with small stacks, and kept for reuse.
//
// The adapter calls enqueue() on the listener thread right after accept4(); the socket is learnt
// from a link-time wrapper around accept4 (--wrap=accept4), since the library hands us only a closure.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace airlock::http {

class ConnectionPool {
 public:
  struct Options {
    int max_connections = 1024;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds idle_timeout{5'000};
    std::chrono::milliseconds drain_timeout{20'000};
    std::size_t stack_size = 256 * 1024;
  };
  ConnectionPool(Options options, const core::Clock& clock);
  ~ConnectionPool();

  // False (and nothing queued) when max_connections are open or the pool is shutting down.
  bool enqueue(std::function<void()> connection_task);
  // Stops accepting work, waits up to drain_timeout for running connections, cuts the rest, joins.
  void shutdown();

  // Worker-thread hooks for the connection being served on the calling thread.
  static void request_head_received();
  static void response_finished();

  struct Stats {
    int open = 0;
    int threads = 0;
    std::uint64_t refused = 0;        // over max_connections
    std::uint64_t header_timeouts = 0;
    std::uint64_t drained_cut = 0;    // still running when the drain timed out
  };
  Stats stats() const;

 private:
  struct Conn {
    int fd = -1;
    std::string peer;  // getpeername at accept; checked again before a cut (fd reuse)
    std::atomic<std::int64_t> deadline_ns{0};  // steady clock; 0 = no deadline
  };
  struct Task {
    std::function<void()> fn;
    Conn* conn;
  };
  void worker();
  void watchdog();
  void cut(Conn& c);
  std::int64_t now_ns() const;

  Options options_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<Task> queue_;
  std::list<Conn> conns_;  // stable addresses; guarded by mu_
  std::vector<pthread_t> threads_;  // joined at shutdown
  int idle_workers_ = 0;
  int open_ = 0;
  bool stopping_ = false;
  Stats stats_;
  std::condition_variable watchdog_cv_;
  // Last member: the thread starts in the constructor and must find every other member built.
  std::thread watchdog_;
};

}  // namespace airlock::http
