#include "gateway/usage.h"

#include <chrono>
#include <tuple>

namespace airlock::gateway {
namespace {

constexpr std::size_t kMaxBatch = 2048;
constexpr auto kLinger = std::chrono::milliseconds(50);

}  // namespace

UsageRecorder::UsageRecorder(store::Database& db, core::Logger& log, std::size_t capacity)
    : db_(db), log_(log), capacity_(capacity), thread_([this] { loop(); }) {}

UsageRecorder::~UsageRecorder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool UsageRecorder::record(UsageRecord r) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() < capacity_ && !stop_) {
      queue_.push_back(std::move(r));
      // Only the first record (it starts the writer's clock) and a full batch wake the writer:
      // one wake-up per commit, not one per request.
      if (queue_.size() == 1 || queue_.size() == kMaxBatch) cv_.notify_one();
      return true;
    }
  }
  auto n = dropped_.fetch_add(1) + 1;
  auto now_s = r.at_ms / 1000;
  auto last = last_drop_log_s_.load();
  if (now_s > last && last_drop_log_s_.compare_exchange_strong(last, now_s))
    log_.warn("usage queue full: usage records dropped", {{"dropped_total", static_cast<std::int64_t>(n)}});
  return false;
}

void UsageRecorder::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  flush_ = true;
  cv_.notify_one();
  idle_cv_.wait(lock, [&] { return queue_.empty() && !writing_; });
  flush_ = false;
}

void UsageRecorder::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto last_commit = std::chrono::steady_clock::now() - kLinger;
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) break;
    cv_.wait_until(lock, last_commit + kLinger, [&] { return stop_ || flush_ || queue_.size() >= kMaxBatch; });
    std::deque<UsageRecord> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    writing_ = true;
    lock.unlock();
    write_batch(batch);
    last_commit = std::chrono::steady_clock::now();
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

void UsageRecorder::write_batch(std::deque<UsageRecord>& batch) {
  auto n = batch.size();
  auto s = db_.write([&](store::Tx& tx) {
    store::usage::insert(tx, batch);
    return core::Status::ok();
  });
  if (s) {
    written_.fetch_add(n);
  } else {
    dropped_.fetch_add(n);
    log_.error("usage records could not be written", {{"records", static_cast<std::int64_t>(n)}, {"code", s.code()}});
  }
}

std::optional<MonthUsage> UsageRecorder::month_usage(store::Database& db, std::int64_t key_id, std::int64_t month_start_ms) {
  MonthUsage u;
  auto s = db.view([&](store::Tx& tx) {
    std::tie(u.requests, u.tokens) = store::usage::totals_since(tx, key_id, month_start_ms);
    return core::Status::ok();
  });
  if (!s) return std::nullopt;
  return u;
}

}  // namespace airlock::gateway
