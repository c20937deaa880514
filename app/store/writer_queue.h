#pragma once
// The single writer. SQLite allows one writer at a time; instead of contending on the lock, every
// write goes through this queue, and the writer thread runs whatever has queued up in one
// transaction (each job inside its own savepoint, so one failing job does not undo the others).
// A job's future resolves only after its transaction has committed: "acknowledged" means durable.
#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

#include "core/result.h"

namespace airlock::store {

class ChangeCounters;

class WriterQueue {
 public:
  // A job returns its own Status: an error (or a thrown SQLite::Exception) rolls back just that
  // job's savepoint and is what its future yields.
  using Job = std::function<core::Status(SQLite::Database&)>;

  struct Options {
    std::size_t capacity = 10000;   // queued jobs before submit() blocks / try_submit() refuses
    std::size_t max_batch = 256;    // jobs per transaction
    // Bumped after each commit that changed a cached table family (store/change_counters.h).
    ChangeCounters* changes = nullptr;
  };

  // Takes ownership of the write connection; starts the writer thread.
  WriterQueue(std::unique_ptr<SQLite::Database> db, Options options);
  ~WriterQueue();  // drains the queue, then stops
  WriterQueue(const WriterQueue&) = delete;
  WriterQueue& operator=(const WriterQueue&) = delete;

  // Queues a job; blocks while the queue is full. The future yields the job's Status after commit.
  std::future<core::Status> submit(Job job);
  // As submit(), but returns nullopt at once when the queue is full (callers count the drop).
  std::optional<std::future<core::Status>> try_submit(Job job);
  // Convenience: submit and wait.
  core::Status run(Job job) { return submit(std::move(job)).get(); }

  // Finishes every queued job, stops the thread and closes the connection. Further submits fail
  // with "store_closed".
  void close();

  struct Stats {
    std::uint64_t jobs = 0;
    std::uint64_t transactions = 0;
  };
  Stats stats() const;

 private:
  struct Item {
    Job job;
    std::promise<core::Status> done;
  };
  void loop();
  void run_batch(std::deque<Item>& batch);
  static void on_update(void* self, int op, const char* db, const char* table, long long rowid);

  std::unique_ptr<SQLite::Database> db_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Item> queue_;
  bool closing_ = false;
  unsigned touched_ = 0;  // writer thread only: families changed by the open transaction
  Stats stats_;
  std::thread thread_;
};

}  // namespace airlock::store
