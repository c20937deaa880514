#pragma once
// usage: one row per gateway request (never a body). Written in batches by the usage recorder,
// read by budgets (month totals), the dashboard and CSV export.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "store/tx.h"

namespace airlock::store {

struct UsageRecord {
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> key_id;
  std::optional<std::int64_t> user_id;
  std::string model;
  std::string upstream_model;
  std::optional<std::int64_t> provider_id;
  std::string endpoint;
  bool stream = false;
  int status = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t latency_us = 0;
  std::optional<std::int64_t> ttft_us;
  std::int64_t overhead_us = 0;
  std::int64_t request_bytes = 0;
  std::int64_t response_bytes = 0;
  std::string request_id;
  std::string error_code;
  // Guardrail detections in the request and its answer, per type, in this order: email, card, ssn,
  // phone, secret, custom rules (guardrails::Detector); how many were masked; what blocked it.
  std::array<std::int32_t, 6> guard_found{};
  std::int32_t guard_masked = 0;
  std::string guard_blocked;
};

// A stored row as reports read it, with the key's name.
struct UsageRow {
  std::int64_t at_ms, key_id;
  std::string key_name, model, upstream_model, endpoint, request_id, error_code;
  int status;
  bool stream;
  std::int64_t prompt_tokens, completion_tokens, latency_us, ttft_us, overhead_us;
  std::array<std::int64_t, 6> guard_found{};  // as UsageRecord::guard_found
  std::int64_t guard_masked = 0;
  std::string guard_blocked;
};

namespace usage {

void insert(Tx& tx, const std::deque<UsageRecord>& records);
// Requests and tokens of successful requests of `key_id` since `since_ms`.
std::pair<std::int64_t, std::int64_t> totals_since(Tx& tx, std::int64_t key_id, std::int64_t since_ms);
// Rows with from_ms <= at_ms < to_ms, optionally of one key or model, oldest first, at most `limit`.
void rows(Tx& tx, std::int64_t from_ms, std::int64_t to_ms, std::optional<std::int64_t> key_id, const std::string& model,
          std::size_t limit, const std::function<void(const UsageRow&)>& fn);

}  // namespace usage
}  // namespace airlock::store
