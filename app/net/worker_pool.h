#pragma once
// Threads for handlers that block (console pages, the management API, SQL, argon2): created on
// demand up to a cap, with small stacks, kept while idle for reuse. The event loops never block;
// they hand such work here and get the result back through EventLoop::post().
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <pthread.h>
#include <vector>

namespace airlock::net {

class WorkerPool {
 public:
  WorkerPool(int max_threads, std::size_t stack_size);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queued when every thread is busy and the cap is reached. False once shutdown() has begun.
  bool submit(std::function<void()> job);
  // Refuses new jobs, lets queued and running jobs finish, joins every thread.
  void shutdown();

 private:
  static void* trampoline(void* self);
  void work();

  int max_threads_;
  std::size_t stack_size_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<pthread_t> threads_;
  int idle_ = 0;
  bool stopping_ = false;
};

}  // namespace airlock::net
