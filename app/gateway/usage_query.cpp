#include "gateway/usage_query.h"

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
    for (std::size_t i = 0; i < s.detections.size(); ++i) s.detections[i] += r.guard_found[i];
    s.masked += r.guard_masked;
    if (!r.guard_blocked.empty()) s.blocked++;
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

std::int64_t UsageStats::detected() const {
  std::int64_t n = 0;
  for (auto v : detections) n += v;
  return n;
}

core::Status usage_rows(store::Database& db, const UsageFilter& f, const std::function<void(const UsageRow&)>& fn) {
  return db.view([&](store::Tx& tx) {
    store::usage::rows(tx, f.from_ms, f.to_ms, f.key_id, f.model, kMaxUsageRows, fn);
    return core::Status::ok();
  });
}

core::Result<UsageReport> usage_report(store::Database& db, const UsageFilter& f) {
  UsageReport out;
  auto bucket_ms = std::max<std::int64_t>(f.bucket_ms, 60000);
  auto first = f.from_ms - f.from_ms % bucket_ms;
  std::vector<Acc> buckets;
  for (auto t = first; t < f.to_ms && buckets.size() < 2000; t += bucket_ms) buckets.emplace_back();
  std::map<std::int64_t, Acc> keys;
  std::map<std::string, Acc> models;
  Acc total;
  std::size_t n = 0;
  auto read = usage_rows(db, f, [&](const UsageRow& r) {
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
  if (!read) return read;
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
