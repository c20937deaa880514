#include "gateway/usage_query.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace airlock::gateway {
namespace {

struct Acc {
  UsageStats s;
  std::vector<std::int64_t> latencies;
  void add(const UsageRow& r) {
    s.requests++;
    if (r.status >= 400 || !r.error_code.empty()) s.errors++;
    s.prompt_tokens += r.prompt_tokens;
    s.completion_tokens += r.completion_tokens;
    latencies.push_back(r.latency_us);
  }
  UsageStats done() {
    if (!latencies.empty()) {
      std::sort(latencies.begin(), latencies.end());
      // Nearest-rank percentiles.
      auto rank = [&](double p) {
        auto i = static_cast<std::size_t>(std::max(1.0, std::ceil(p * static_cast<double>(latencies.size()))));
        return latencies[i - 1];
      };
      s.p50_us = rank(0.50);
      s.p95_us = rank(0.95);
    }
    return s;
  }
};

}  // namespace

void usage_rows(store::Database& db, const UsageFilter& f, const std::function<void(const UsageRow&)>& fn) {
  (void)db.view([&](store::Tx& tx) {
    std::string sql =
        "SELECT u.at_ms, coalesce(u.key_id, 0), coalesce(k.name, ''), u.model, u.upstream_model, u.endpoint, u.request_id, "
        "coalesce(u.error_code, ''), u.status, u.stream, u.prompt_tokens, u.completion_tokens, u.latency_us, "
        "coalesce(u.ttft_us, 0), u.overhead_us FROM usage u LEFT JOIN gateway_keys k ON k.id = u.key_id "
        "WHERE u.at_ms >= ? AND u.at_ms < ?";
    if (f.key_id) sql += " AND u.key_id = ?";
    if (!f.model.empty()) sql += " AND u.model = ?";
    sql += " ORDER BY u.at_ms LIMIT " + std::to_string(kMaxUsageRows);
    SQLite::Statement q(tx.db(), sql);
    int i = 1;
    q.bind(i++, f.from_ms);
    q.bind(i++, f.to_ms);
    if (f.key_id) q.bind(i++, *f.key_id);
    if (!f.model.empty()) q.bind(i++, f.model);
    while (q.executeStep()) {
      UsageRow r{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                 q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString(), q.getColumn(7).getString(),
                 q.getColumn(8).getInt(), q.getColumn(9).getInt() == 1, q.getColumn(10).getInt64(), q.getColumn(11).getInt64(),
                 q.getColumn(12).getInt64(), q.getColumn(13).getInt64(), q.getColumn(14).getInt64()};
      fn(r);
    }
    return core::Status::ok();
  });
}

UsageReport usage_report(store::Database& db, const UsageFilter& f) {
  UsageReport out;
  auto bucket_ms = std::max<std::int64_t>(f.bucket_ms, 60000);
  auto first = f.from_ms - f.from_ms % bucket_ms;
  std::vector<Acc> buckets;
  for (auto t = first; t < f.to_ms && buckets.size() < 2000; t += bucket_ms) buckets.emplace_back();
  std::map<std::int64_t, Acc> keys;
  std::map<std::string, Acc> models;
  Acc total;
  std::size_t n = 0;
  usage_rows(db, f, [&](const UsageRow& r) {
    ++n;
    auto b = static_cast<std::size_t>((r.at_ms - first) / bucket_ms);
    if (b < buckets.size()) buckets[b].add(r);
    auto& k = keys[r.key_id];
    if (k.s.label.empty()) k.s.label = r.key_name.empty() ? "key " + std::to_string(r.key_id) : r.key_name;
    k.add(r);
    auto& m = models[r.model];
    m.s.label = r.model;
    m.add(r);
    total.add(r);
  });
  out.truncated = n >= kMaxUsageRows;
  for (std::size_t i = 0; i < buckets.size(); ++i)
    out.buckets.push_back({first + static_cast<std::int64_t>(i) * bucket_ms, buckets[i].done()});
  for (auto& [id, a] : keys) out.by_key.push_back(a.done());
  for (auto& [name, a] : models) out.by_model.push_back(a.done());
  auto by_requests = [](const UsageStats& a, const UsageStats& b) { return a.requests > b.requests; };
  std::sort(out.by_key.begin(), out.by_key.end(), by_requests);
  std::sort(out.by_model.begin(), out.by_model.end(), by_requests);
  out.total = total.done();
  out.total.label = "all";
  return out;
}

}  // namespace airlock::gateway
