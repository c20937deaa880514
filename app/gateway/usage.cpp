#include "gateway/usage.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::gateway {
namespace {

constexpr std::size_t kMaxBatch = 512;

void bind_opt(SQLite::Statement& q, int i, const std::optional<std::int64_t>& v) {
  if (v) q.bind(i, *v);
  else q.bind(i);
}

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
      cv_.notify_one();
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
  cv_.notify_one();
  idle_cv_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void UsageRecorder::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) break;
    std::deque<UsageRecord> batch;
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    writing_ = true;
    lock.unlock();
    write_batch(batch);
    lock.lock();
    writing_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
  idle_cv_.notify_all();
}

void UsageRecorder::write_batch(std::deque<UsageRecord>& batch) {
  auto n = batch.size();
  auto s = db_.write([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(),
                        "INSERT INTO usage (at_ms, key_id, user_id, model, upstream_model, provider_id, endpoint, stream, "
                        "status, prompt_tokens, completion_tokens, total_tokens, latency_us, ttft_us, overhead_us, "
                        "request_bytes, response_bytes, request_id, error_code) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& r : batch) {
      q.reset();
      q.bind(1, r.at_ms);
      bind_opt(q, 2, r.key_id);
      bind_opt(q, 3, r.user_id);
      q.bind(4, r.model);
      q.bind(5, r.upstream_model);
      bind_opt(q, 6, r.provider_id);
      q.bind(7, r.endpoint);
      q.bind(8, r.stream ? 1 : 0);
      q.bind(9, r.status);
      q.bind(10, r.prompt_tokens);
      q.bind(11, r.completion_tokens);
      q.bind(12, r.prompt_tokens + r.completion_tokens);
      q.bind(13, r.latency_us);
      bind_opt(q, 14, r.ttft_us);
      q.bind(15, r.overhead_us);
      q.bind(16, r.request_bytes);
      q.bind(17, r.response_bytes);
      q.bind(18, r.request_id);
      if (r.error_code.empty()) q.bind(19);
      else q.bind(19, r.error_code);
      q.exec();
    }
    return core::Status::ok();
  });
  if (s) {
    written_.fetch_add(n);
  } else {
    dropped_.fetch_add(n);
    log_.error("usage records could not be written", {{"records", static_cast<std::int64_t>(n)}, {"code", s.code()}});
  }
}

MonthUsage UsageRecorder::month_usage(store::Database& db, std::int64_t key_id, std::int64_t month_start_ms) {
  MonthUsage u;
  (void)db.view([&](store::Tx& tx) {
    SQLite::Statement q(tx.db(),
                        "SELECT count(*), coalesce(sum(total_tokens), 0) FROM usage WHERE key_id = ? AND at_ms >= ? "
                        "AND error_code IS NULL");
    q.bind(1, key_id);
    q.bind(2, month_start_ms);
    if (q.executeStep()) {
      u.requests = q.getColumn(0).getInt64();
      u.tokens = q.getColumn(1).getInt64();
    }
    return core::Status::ok();
  });
  return u;
}

}  // namespace airlock::gateway
