#pragma once
// One usage record per gateway request, written off the request path: records go into a bounded
// in-memory queue and a background thread writes them in batches, one writer job (one transaction)
// per batch, at most one commit per 50 ms unless a full batch is waiting: a commit costs an fsync
// and a page encryption per touched page, so under load records share commits, while a lone
// record is still written at once. When the queue is full the record is dropped and counted (and logged, at most once a
// second), never blocking the request. Bodies are never recorded.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/log.h"
#include "gateway/limits.h"
#include "store/database.h"
#include "store/usage_repo.h"

namespace airlock::gateway {

using UsageRecord = store::UsageRecord;

class UsageRecorder {
 public:
  UsageRecorder(store::Database& db, core::Logger& log, std::size_t capacity);
  ~UsageRecorder();  // flushes what is queued

  // Never blocks; false when the record was dropped.
  bool record(UsageRecord r);
  // Writes everything queued so far and waits for it (shutdown, tests).
  void flush();

  std::uint64_t dropped() const { return dropped_.load(); }
  std::uint64_t written() const { return written_.load(); }

  // What a key used in the month starting at `month_start_ms` (for KeyLimits).
  static std::optional<MonthUsage> month_usage(store::Database& db, std::int64_t key_id, std::int64_t month_start_ms);

 private:
  void loop();
  void write_batch(std::deque<UsageRecord>& batch);

  store::Database& db_;
  core::Logger& log_;
  std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<UsageRecord> queue_;
  bool stop_ = false;
  bool writing_ = false;
  bool flush_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::int64_t> last_drop_log_s_{0};
  std::thread thread_;
};

}  // namespace airlock::gateway
