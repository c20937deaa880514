#include "net/worker_pool.h"

#include "core/barrier.h"

namespace airlock::net {

WorkerPool::WorkerPool(int max_threads, std::size_t stack_size)
    : max_threads_(max_threads < 1 ? 1 : max_threads), stack_size_(stack_size) {}

WorkerPool::~WorkerPool() { shutdown(); }

void* WorkerPool::trampoline(void* self) {
  static_cast<WorkerPool*>(self)->work();
  return nullptr;
}

bool WorkerPool::submit(std::function<void()> job) {
  std::unique_lock lock(mu_);
  if (stopping_) return false;
  queue_.push_back(std::move(job));
  if (idle_ >= static_cast<int>(queue_.size()) || static_cast<int>(threads_.size()) >= max_threads_) {
    cv_.notify_one();
    return true;
  }
  // std::thread cannot take a stack size; a pthread can.
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_size_);
  pthread_t tid;
  if (pthread_create(&tid, &attr, &WorkerPool::trampoline, this) == 0) threads_.push_back(tid);
  pthread_attr_destroy(&attr);
  if (threads_.empty()) {  // not even one thread: nobody would ever run the job
    queue_.pop_back();
    return false;
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::work() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // stopping, and nothing left to run
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    core::barrier("worker", job);
    job = nullptr;  // release what the job captured before waiting again
    lock.lock();
  }
}

void WorkerPool::shutdown() {
  std::vector<pthread_t> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto t : threads) pthread_join(t, nullptr);
}

}  // namespace airlock::net
