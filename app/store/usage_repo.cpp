#include "store/usage_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::usage {
namespace {

void bind_opt(SQLite::Statement& q, int i, const std::optional<std::int64_t>& v) {
  if (v) q.bind(i, *v);
  else q.bind(i);
}

}  // namespace

void insert(Tx& tx, const std::deque<UsageRecord>& records) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO usage (at_ms, key_id, user_id, model, upstream_model, provider_id, endpoint, stream, "
                      "status, prompt_tokens, completion_tokens, total_tokens, latency_us, ttft_us, overhead_us, "
                      "request_bytes, response_bytes, request_id, error_code, g_email, g_card, g_ssn, g_phone, "
                      "g_secret, g_rule, g_masked, g_blocked) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& r : records) {
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
    for (int i = 0; i < 6; ++i) q.bind(20 + i, r.guard_found[static_cast<std::size_t>(i)]);
    q.bind(26, r.guard_masked);
    if (r.guard_blocked.empty()) q.bind(27);
    else q.bind(27, r.guard_blocked);
    q.exec();
  }
}

std::pair<std::int64_t, std::int64_t> totals_since(Tx& tx, std::int64_t key_id, std::int64_t since_ms) {
  SQLite::Statement q(tx.db(),
                      "SELECT count(*), coalesce(sum(total_tokens), 0) FROM usage WHERE key_id = ? AND at_ms >= ? "
                      "AND error_code IS NULL");
  q.bind(1, key_id);
  q.bind(2, since_ms);
  if (!q.executeStep()) return {0, 0};
  return {q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
}

void rows(Tx& tx, std::int64_t from_ms, std::int64_t to_ms, std::optional<std::int64_t> key_id, const std::string& model,
          std::size_t limit, const std::function<void(const UsageRow&)>& fn) {
  std::string sql =
      "SELECT u.at_ms, coalesce(u.key_id, 0), coalesce(k.name, ''), u.model, u.upstream_model, u.endpoint, u.request_id, "
      "coalesce(u.error_code, ''), u.status, u.stream, u.prompt_tokens, u.completion_tokens, u.latency_us, "
      "coalesce(u.ttft_us, 0), u.overhead_us, u.g_email, u.g_card, u.g_ssn, u.g_phone, u.g_secret, u.g_rule, u.g_masked, "
      "coalesce(u.g_blocked, '') FROM usage u LEFT JOIN gateway_keys k ON k.id = u.key_id "
      "WHERE u.at_ms >= ? AND u.at_ms < ?";
  if (key_id) sql += " AND u.key_id = ?";
  if (!model.empty()) sql += " AND u.model = ?";
  sql += " ORDER BY u.at_ms LIMIT ?";
  SQLite::Statement q(tx.db(), sql);
  int i = 1;
  q.bind(i++, from_ms);
  q.bind(i++, to_ms);
  if (key_id) q.bind(i++, *key_id);
  if (!model.empty()) q.bind(i++, model);
  q.bind(i++, static_cast<std::int64_t>(limit));
  while (q.executeStep()) {
    UsageRow r{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getString(), q.getColumn(3).getString(),
               q.getColumn(4).getString(), q.getColumn(5).getString(), q.getColumn(6).getString(), q.getColumn(7).getString(),
               q.getColumn(8).getInt(), q.getColumn(9).getInt() == 1, q.getColumn(10).getInt64(), q.getColumn(11).getInt64(),
               q.getColumn(12).getInt64(), q.getColumn(13).getInt64(), q.getColumn(14).getInt64()};
    for (int g = 0; g < 6; ++g) r.guard_found[static_cast<std::size_t>(g)] = q.getColumn(15 + g).getInt64();
    r.guard_masked = q.getColumn(21).getInt64();
    r.guard_blocked = q.getColumn(22).getString();
    fn(r);
  }
}

}  // namespace airlock::store::usage
