#pragma once
// One epoll loop on one thread, nginx-style: every socket it owns is edge-triggered and handled to
// completion on this thread, so a request costs a few syscalls and no thread hand-off. Other
// threads talk to the loop only through post(). A periodic tick lets owners sweep their deadlines
// (a scan over a few thousand connections every 100 ms is cheaper than a timer per request).
// Every callback runs behind core::barrier: one that throws is counted and logged, and the loop
// (with every other socket on it) goes on.
#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace airlock::net {

// Something with a file descriptor registered on a loop.
class Pollable {
 public:
  virtual void on_events(std::uint32_t events) = 0;

 protected:
  ~Pollable() = default;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Loop thread only. `p` must stay valid until remove() (or until the fd is closed).
  bool add(int fd, std::uint32_t events, Pollable* p);
  void remove(int fd);

  // Loop thread only: keeps `p` alive until the current batch of events has been handled, so an
  // object closed by one event cannot be freed while a later event in the same batch names it.
  void release_later(std::shared_ptr<void> p) { graveyard_.push_back(std::move(p)); }

  // Any thread: runs `fn` on the loop thread soon. Dropped (returns false) once the loop has ended.
  bool post(std::function<void()> fn);
  // Runs on every pass of the loop at most `every` apart, on the loop thread.
  void set_tick(std::chrono::milliseconds every, std::function<void()> fn);

  // Loop thread only: runs `fn` once at `at` (steady clock), unless cancelled first. Ids are never
  // reused, so cancelling a timer that already ran is harmless.
  using TimerId = std::uint64_t;
  TimerId add_timer(std::chrono::steady_clock::time_point at, std::function<void()> fn);
  void cancel_timer(TimerId id);

  // Loop thread only: runs `fn` when the loop ends, on its thread, while the loop still exists
  // (post() then refuses). Owners of sockets registered here close them in it.
  void at_end(std::function<void()> fn) { at_end_.push_back(std::move(fn)); }

  // Runs until stop(); the calling thread becomes the loop thread.
  void run();
  // Any thread.
  void stop();

 private:
  void drain_posted();

  int epfd_ = -1;
  int wakefd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;  // guarded by mu_
  bool ended_ = false;                           // guarded by mu_
  bool wake_pending_ = false;                    // guarded by mu_: one eventfd write per batch
  std::chrono::milliseconds tick_every_{100};
  std::function<void()> tick_;
  std::vector<std::shared_ptr<void>> graveyard_;
  std::vector<std::function<void()>> at_end_;
  std::map<std::pair<std::chrono::steady_clock::time_point, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, std::chrono::steady_clock::time_point> timer_at_;
  TimerId next_timer_ = 1;
  void run_timers();
};

}  // namespace airlock::net
