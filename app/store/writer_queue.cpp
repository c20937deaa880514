#include "store/writer_queue.h"

#include "store/change_counters.h"

#include "core/barrier.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace airlock::store {

WriterQueue::WriterQueue(std::unique_ptr<SQLite::Database> db, Options options)
    : db_(std::move(db)), options_(options), thread_([this] { loop(); }) {
  // Jobs run only on the writer thread, and none can be queued before this constructor returns.
  sqlite3_update_hook(db_->getHandle(), &WriterQueue::on_update, this);
}

WriterQueue::~WriterQueue() { close(); }

std::future<core::Status> WriterQueue::submit(Job job) {
  Item item{std::move(job), {}};
  auto fut = item.done.get_future();
  std::unique_lock lock(mu_);
  not_full_.wait(lock, [&] { return closing_ || queue_.size() < options_.capacity; });
  if (closing_) {
    item.done.set_value(core::Status::error("store_closed", "the store is shutting down"));
    return fut;
  }
  queue_.push_back(std::move(item));
  not_empty_.notify_one();
  return fut;
}

std::optional<std::future<core::Status>> WriterQueue::try_submit(Job job) {
  std::unique_lock lock(mu_);
  if (closing_ || queue_.size() >= options_.capacity) return std::nullopt;
  Item item{std::move(job), {}};
  auto fut = item.done.get_future();
  queue_.push_back(std::move(item));
  not_empty_.notify_one();
  return fut;
}

void WriterQueue::close() {
  {
    std::lock_guard lock(mu_);
    if (closing_ && !thread_.joinable()) return;
    closing_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  if (thread_.joinable()) thread_.join();
  db_.reset();
}

WriterQueue::Stats WriterQueue::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void WriterQueue::loop() {
  for (;;) {
    std::deque<Item> batch;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    not_full_.notify_all();
    run_batch(batch);
  }
}

void WriterQueue::on_update(void* self, int, const char*, const char* table, long long) {
  // SQLite reports every row change on rowid tables (all of ours), except rows removed by the
  // truncate optimisation of a bare "DELETE FROM t", which no code path here uses.
  int f = ChangeCounters::family_of(table);
  if (f >= 0) static_cast<WriterQueue*>(self)->touched_ |= 1u << f;
}

void WriterQueue::run_batch(std::deque<Item>& batch) {
  std::vector<core::Status> results(batch.size());
  core::Status commit_status;
  try {
    db_->exec("BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      db_->exec("SAVEPOINT job");
      try {
        core::fault_point("writer");
        results[i] = batch[i].job(*db_);
      } catch (const SQLite::Exception& e) {
        results[i] = core::Status::error("store_error", "the write failed", e.what());
      } catch (const std::exception& e) {
        // Not the store's failure but a bug in the job: it fails alone, the writer lives on.
        core::record_internal_error("writer", &e);
        results[i] = core::Status::error("internal_error", "the write failed");
      } catch (...) {
        core::record_internal_error("writer", nullptr);
        results[i] = core::Status::error("internal_error", "the write failed");
      }
      if (!results[i].is_ok()) db_->exec("ROLLBACK TO job");
      db_->exec("RELEASE job");
    }
    db_->exec("COMMIT");
    // After the commit, before anyone is told it happened: a reader that sees the new counter
    // will also see the new rows.
    if (options_.changes)
      for (int f = 0; f < kFamilies; ++f)
        if (touched_ & (1u << f)) options_.changes->bump(static_cast<Family>(f));
  } catch (const SQLite::Exception& e) {
    // BEGIN or COMMIT failed (disk full, I/O error): nothing in this batch is durable.
    try {
      if (!db_->getHandle() || sqlite3_get_autocommit(db_->getHandle()) == 0) db_->exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
    }
    commit_status = core::Status::error("store_error", "the transaction could not be committed", e.what());
  } catch (const std::exception& e) {
    core::record_internal_error("writer", &e);
    try {
      if (db_->getHandle() && sqlite3_get_autocommit(db_->getHandle()) == 0) db_->exec("ROLLBACK");
    } catch (...) {
    }
    commit_status = core::Status::error("internal_error", "the transaction could not be committed");
  }
  touched_ = 0;
  {
    std::lock_guard lock(mu_);
    stats_.jobs += batch.size();
    stats_.transactions += 1;
  }
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].done.set_value(commit_status.is_ok() ? results[i] : commit_status);
}

}  // namespace airlock::store
