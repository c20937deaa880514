#include "net/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

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

void EventLoop::drain_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(posted_);
    wake_pending_ = false;
  }
  std::uint64_t n;
  [[maybe_unused]] auto r = ::read(wakefd_, &n, sizeof n);
  for (auto& fn : batch) fn();
}

void EventLoop::run() {
  thread_id_ = std::this_thread::get_id();
  constexpr int kBatch = 256;
  epoll_event events[kBatch];
  auto next_tick = std::chrono::steady_clock::now() + tick_every_;
  while (!stop_.load(std::memory_order_relaxed)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      if (tick_) tick_();
      next_tick = now + tick_every_;
    }
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now).count() + 1;
    int n = ::epoll_wait(epfd_, events, kBatch, static_cast<int>(wait_ms));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.ptr == nullptr) {
        drain_posted();
      } else {
        static_cast<Pollable*>(events[i].data.ptr)->on_events(events[i].events);
      }
    }
    graveyard_.clear();
  }
  {
    std::lock_guard lock(mu_);
    ended_ = true;
  }
  drain_posted();  // what was posted before the end still runs (it may release resources)
  graveyard_.clear();
}

void EventLoop::stop() {
  stop_ = true;
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wakefd_, &one, sizeof one);
}

}  // namespace airlock::net
