#pragma once
// Reading the usage table for the dashboard, the API and CSV export: buckets over time (requests,
// tokens, errors, p50/p95 latency), and totals per key and per model. Percentiles are exact, over
// the rows of the range; at most kMaxRows rows are read (the report says when it was cut).
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/usage_repo.h"

namespace airlock::gateway {

inline constexpr std::size_t kMaxUsageRows = 500000;

struct UsageFilter {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::optional<std::int64_t> key_id;
  std::string model;                 // "" = all
  std::int64_t bucket_ms = 3600000;  // hour
};

struct UsageStats {
  std::string label;
  std::int64_t requests = 0, errors = 0, prompt_tokens = 0, completion_tokens = 0;
  std::int64_t p50_us = 0, p95_us = 0;
  // Guardrails: detections per type (email, card, ssn, phone, secret, custom rules), how many
  // were masked, and requests or answers a guardrail blocked.
  std::array<std::int64_t, 6> detections{};
  std::int64_t masked = 0, blocked = 0;
  std::int64_t tokens() const { return prompt_tokens + completion_tokens; }
  std::int64_t detected() const;
};

struct UsageBucket {
  std::int64_t start_ms = 0;
  UsageStats stats;
};

struct UsageReport {
  std::vector<UsageBucket> buckets;  // every bucket of the range, empty ones too
  std::vector<UsageStats> by_key;    // label: key name (or "key <id>")
  std::vector<UsageStats> by_model;
  UsageStats total;
  bool truncated = false;
};

core::Result<UsageReport> usage_report(store::Database& db, const UsageFilter& f);

using UsageRow = store::UsageRow;

// Calls `fn` for each row of the range, oldest first (at most kMaxUsageRows); an error when the
// store could not be read (rows already handed to `fn` are then not the whole range).
core::Status usage_rows(store::Database& db, const UsageFilter& f, const std::function<void(const UsageRow&)>& fn);

}  // namespace airlock::gateway
