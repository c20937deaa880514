#include "net/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "core/barrier.h"

namespace airlock::net {

EventLoop::EventLoop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || wakefd_ < 0) throw std::runtime_error("epoll/eventfd unavailable");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake fd is the only registration without a Pollable
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
}

EventLoop::~EventLoop() {
  ::close(wakefd_);
  ::close(epfd_);
}

bool EventLoop::add(int fd, std::uint32_t events, Pollable* p) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = p;
  return ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

void EventLoop::remove(int fd) { ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

bool EventLoop::post(std::function<void()> fn) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (ended_) return false;
    posted_.push_back(std::move(fn));
    if (!wake_pending_) wake = wake_pending_ = true;
  }
  if (wake) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wakefd_, &one, sizeof one);
  }
  return true;
}

void EventLoop::set_tick(std::chrono::milliseconds every, std::function<void()> fn) {
  tick_every_ = every;
  tick_ = std::move(fn);
}

EventLoop::TimerId EventLoop::add_timer(std::chrono::steady_clock::time_point at, std::function<void()> fn) {
  TimerId id = next_timer_++;
  timers_.emplace(std::make_pair(at, id), std::move(fn));
  timer_at_.emplace(id, at);
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  auto it = timer_at_.find(id);
  if (it == timer_at_.end()) return;
  timers_.erase({it->second, id});
  timer_at_.erase(it);
}

void EventLoop::run_timers() {
  auto now = std::chrono::steady_clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_at_.erase(node.key().second);
    core::barrier("timer", node.mapped());  // may add or cancel timers
  }
}

void EventLoop::drain_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(posted_);
    wake_pending_ = false;
  }
  std::uint64_t n;
  [[maybe_unused]] auto r = ::read(wakefd_, &n, sizeof n);
  for (auto& fn : batch) core::barrier("posted", fn);
}

void EventLoop::run() {
  constexpr int kBatch = 256;
  epoll_event events[kBatch];
  auto next_tick = std::chrono::steady_clock::now() + tick_every_;
  while (!stop_.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      if (tick_) core::barrier("tick", tick_);
      next_tick = now + tick_every_;
    }
    run_timers();
    auto wake = next_tick;
    if (!timers_.empty() && timers_.begin()->first.first < wake) wake = timers_.begin()->first.first;
    auto wait_ms = std::max<long long>(0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count() + 1);
    int n = ::epoll_wait(epfd_, events, kBatch, static_cast<int>(wait_ms));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        drain_posted();
      } else {
        auto* p = static_cast<Pollable*>(events[i].data.ptr);
        auto ev = events[i].events;
        core::barrier("event_loop", [&] { p->on_events(ev); });
      }
    }
    graveyard_.clear();
  }
  {
    std::lock_guard lock(mu_);
    ended_ = true;
  }
  drain_posted();  // what was posted before the end still runs (it may release resources)
  for (auto& fn : at_end_) core::barrier("loop_end", fn);
  at_end_.clear();
  graveyard_.clear();
}

void EventLoop::stop() {
  stop_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wakefd_, &one, sizeof one);
}

}  // namespace airlock::net
