#include "http/connection_pool.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sys/socket.h>

#include <cstring>

namespace {
// Set by the accept4 wrapper on the listener thread, consumed by the next enqueue() on that thread.
thread_local int t_last_accepted = -1;
}  // namespace

extern "C" {
int __real_accept4(int fd, sockaddr* addr, socklen_t* len, int flags);
// The link wraps the library's accept4 so the pool learns which socket each connection task serves.
int __wrap_accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  int s = __real_accept4(fd, addr, len, flags);
  if (s >= 0) t_last_accepted = s;
  return s;
}
}

namespace airlock::http {
namespace {

thread_local std::atomic<std::int64_t>* t_deadline = nullptr;
thread_local const ConnectionPool* t_pool = nullptr;
thread_local std::int64_t t_rearm_ns = 0;
thread_local const core::Clock* t_clock = nullptr;

std::string peer_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  char host[INET6_ADDRSTRLEN] = {};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + "|" + std::to_string(port);
}

}  // namespace

ConnectionPool::ConnectionPool(Options options, const core::Clock& clock)
    : options_(options), clock_(clock), watchdog_([this] { watchdog(); }) {}

ConnectionPool::~ConnectionPool() { shutdown(); }

std::int64_t ConnectionPool::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.steady_now().time_since_epoch()).count();
}

bool ConnectionPool::enqueue(std::function<void()> fn) {
  int fd = t_last_accepted;
  t_last_accepted = -1;
  std::unique_lock lock(mu_);
  if (stopping_ || open_ >= options_.max_connections) {
    ++stats_.refused;
    return false;
  }
  ++open_;
  Conn& c = conns_.emplace_back();
  c.fd = fd;
  c.peer = fd >= 0 ? peer_of(fd) : std::string();
  c.deadline_ns = now_ns() + std::chrono::nanoseconds(options_.header_timeout).count();
  queue_.push_back(Task{std::move(fn), &c});
  if (idle_workers_ < static_cast<int>(queue_.size())) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, options_.stack_size);
    // std::thread cannot take a stack size; start it from a pthread with the smaller stack.
    pthread_t tid;
    auto* self = this;
    int rc = pthread_create(
        &tid, &attr,
        [](void* p) -> void* {
          static_cast<ConnectionPool*>(p)->worker();
          return nullptr;
        },
        self);
    pthread_attr_destroy(&attr);
    if (rc == 0) {
      threads_.push_back(tid);
      ++stats_.threads;
    }
  }
  work_cv_.notify_one();
  return true;
}

void ConnectionPool::worker() {
  t_pool = this;
  t_clock = &clock_;
  t_rearm_ns = std::chrono::nanoseconds(options_.idle_timeout + options_.header_timeout).count();
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_workers_;
    work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    --idle_workers_;
    if (queue_.empty()) break;  // stopping and nothing left
    Task task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    t_deadline = &task.conn->deadline_ns;
    task.fn();  // serves the connection until it closes
    t_deadline = nullptr;
    lock.lock();
    conns_.remove_if([&](const Conn& c) { return &c == task.conn; });
    --open_;
    idle_cv_.notify_all();
  }
  --stats_.threads;
}

void ConnectionPool::request_head_received() {
  if (t_deadline) t_deadline->store(0);
}

void ConnectionPool::response_finished() {
  if (t_deadline && t_clock) {
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(t_clock->steady_now().time_since_epoch()).count();
    t_deadline->store(now + t_rearm_ns);
  }
}

void ConnectionPool::cut(Conn& c) {
  // The fd could in theory have been closed and reused by a newer connection: check it is still
  // the same peer before cutting.
  if (c.fd >= 0 && peer_of(c.fd) == c.peer) ::shutdown(c.fd, SHUT_RDWR);
  c.deadline_ns = 0;
}

void ConnectionPool::watchdog() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    watchdog_cv_.wait_for(lock, std::chrono::milliseconds(100));
    auto now = now_ns();
    for (auto& c : conns_) {
      auto d = c.deadline_ns.load();
      if (d != 0 && now > d) {
        cut(c);
        ++stats_.header_timeouts;
      }
    }
  }
}

void ConnectionPool::shutdown() {
  std::unique_lock lock(mu_);
  if (stopping_) return;
  stopping_ = true;
  watchdog_cv_.notify_all();
  work_cv_.notify_all();
  lock.unlock();
  if (watchdog_.joinable()) watchdog_.join();
  lock.lock();
  // Connections still queued were never started; the library closes their sockets when their
  // tasks run. Running ones get the drain window.
  bool drained = idle_cv_.wait_for(lock, options_.drain_timeout, [&] { return open_ == 0; });
  if (!drained) {
    for (auto& c : conns_) {
      cut(c);
      ++stats_.drained_cut;
    }
  }
  std::vector<pthread_t> threads;
  threads.swap(threads_);
  work_cv_.notify_all();
  lock.unlock();
  for (auto t : threads) pthread_join(t, nullptr);
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard lock(mu_);
  Stats s = stats_;
  s.open = open_;
  return s;
}

}  // namespace airlock::http
