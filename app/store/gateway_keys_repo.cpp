#include "store/gateway_keys_repo.h"

#include <SQLiteCpp/Statement.h>
#include <nlohmann/json.hpp>

namespace airlock::store::gateway_keys {
namespace {

constexpr const char* kSelect =
    "SELECT id, public_id, secret_hash, name, owner_user_id, allowed_models, scopes, ip_allowlist, rpm, tpm, "
    "monthly_requests, monthly_tokens, max_tokens_cap, metadata, enabled, expires_at, created_at, updated_at, "
    "revoked_at, last_used_at, last_used_ip, guardrails, prev_secret_hash, prev_valid_until, secret_created_at "
    "FROM gateway_keys ";

std::vector<std::string> string_list(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::string list_text(const std::vector<std::string>& v) {
  return nlohmann::json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::int64_t> opt(SQLite::Statement& q, int col) {
  if (q.getColumn(col).isNull()) return std::nullopt;
  return q.getColumn(col).getInt64();
}

void bind_opt(SQLite::Statement& q, int idx, const std::optional<std::int64_t>& v) {
  if (v) q.bind(idx, *v);
  else q.bind(idx);
}

GatewayKeyRow read_row(SQLite::Statement& q) {
  GatewayKeyRow r;
  r.id = core::KeyId(q.getColumn(0).getInt64());
  r.public_id = q.getColumn(1).getString();
  auto blob = q.getColumn(2);
  r.secret_hash.assign(static_cast<const char*>(blob.getBlob()), static_cast<std::size_t>(blob.getBytes()));
  r.name = q.getColumn(3).getString();
  if (auto o = opt(q, 4)) r.owner = core::UserId(*o);
  r.allowed_models = string_list(q.getColumn(5).getString());
  r.scopes = string_list(q.getColumn(6).getString());
  r.ip_allowlist = string_list(q.getColumn(7).getString());
  r.limits = {opt(q, 8), opt(q, 9), opt(q, 10), opt(q, 11), opt(q, 12)};
  r.metadata_json = q.getColumn(13).getString();
  r.enabled = q.getColumn(14).getInt() == 1;
  r.expires_at = opt(q, 15);
  r.created_at = q.getColumn(16).getInt64();
  r.updated_at = q.getColumn(17).getInt64();
  r.revoked_at = opt(q, 18);
  r.last_used_at = opt(q, 19);
  if (!q.getColumn(20).isNull()) r.last_used_ip = q.getColumn(20).getString();
  r.guardrails = q.getColumn(21).getString();
  if (auto prev = q.getColumn(22); !prev.isNull())
    r.prev_secret_hash.assign(static_cast<const char*>(prev.getBlob()), static_cast<std::size_t>(prev.getBytes()));
  r.prev_valid_until = opt(q, 23);
  r.secret_created_at = q.getColumn(24).getInt64();
  return r;
}

}  // namespace

core::KeyId insert(Tx& tx, const GatewayKeyRow& row, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO gateway_keys (public_id, secret_hash, name, owner_user_id, allowed_models, scopes, "
                      "ip_allowlist, rpm, tpm, monthly_requests, monthly_tokens, max_tokens_cap, metadata, enabled, "
                      "expires_at, created_at, updated_at, guardrails, secret_created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, row.public_id);
  q.bind(2, row.secret_hash.data(), static_cast<int>(row.secret_hash.size()));
  q.bind(3, row.name);
  bind_opt(q, 4, row.owner ? std::optional<std::int64_t>(row.owner->value) : std::nullopt);
  q.bind(5, list_text(row.allowed_models));
  q.bind(6, list_text(row.scopes));
  q.bind(7, list_text(row.ip_allowlist));
  bind_opt(q, 8, row.limits.rpm);
  bind_opt(q, 9, row.limits.tpm);
  bind_opt(q, 10, row.limits.monthly_requests);
  bind_opt(q, 11, row.limits.monthly_tokens);
  bind_opt(q, 12, row.limits.max_tokens_cap);
  q.bind(13, row.metadata_json);
  q.bind(14, row.enabled ? 1 : 0);
  bind_opt(q, 15, row.expires_at);
  q.bind(16, now);
  q.bind(17, now);
  q.bind(18, row.guardrails);
  q.bind(19, now);
  q.exec();
  return core::KeyId(tx.db().getLastInsertRowid());
}

std::optional<GatewayKeyRow> find_by_public_id(Tx& tx, const std::string& public_id) {
  SQLite::Statement q(tx.db(), std::string(kSelect) + "WHERE public_id = ?");
  q.bind(1, public_id);
  if (!q.executeStep()) return std::nullopt;
  return read_row(q);
}

std::optional<GatewayKeyRow> find(Tx& tx, core::KeyId id) {
  SQLite::Statement q(tx.db(), std::string(kSelect) + "WHERE id = ?");
  q.bind(1, id.value);
  if (!q.executeStep()) return std::nullopt;
  return read_row(q);
}

std::vector<GatewayKeyRow> list(Tx& tx, bool include_revoked) {
  SQLite::Statement q(tx.db(), std::string(kSelect) + (include_revoked ? "" : "WHERE revoked_at IS NULL ") +
                                   "ORDER BY id DESC");
  std::vector<GatewayKeyRow> out;
  while (q.executeStep()) out.push_back(read_row(q));
  return out;
}

bool revoke(Tx& tx, core::KeyId id, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE gateway_keys SET revoked_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL");
  q.bind(1, now);
  q.bind(2, now);
  q.bind(3, id.value);
  return q.exec() == 1;
}

bool update(Tx& tx, const GatewayKeyRow& row, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE gateway_keys SET name = ?, allowed_models = ?, scopes = ?, ip_allowlist = ?, rpm = ?, tpm = ?, "
                      "monthly_requests = ?, monthly_tokens = ?, max_tokens_cap = ?, enabled = ?, updated_at = ?, "
                      "guardrails = ? WHERE id = ? AND revoked_at IS NULL");
  q.bind(1, row.name);
  q.bind(2, list_text(row.allowed_models));
  q.bind(3, list_text(row.scopes));
  q.bind(4, list_text(row.ip_allowlist));
  bind_opt(q, 5, row.limits.rpm);
  bind_opt(q, 6, row.limits.tpm);
  bind_opt(q, 7, row.limits.monthly_requests);
  bind_opt(q, 8, row.limits.monthly_tokens);
  bind_opt(q, 9, row.limits.max_tokens_cap);
  q.bind(10, row.enabled ? 1 : 0);
  q.bind(11, now);
  q.bind(12, row.guardrails);
  q.bind(13, row.id.value);
  return q.exec() == 1;
}

bool rotate(Tx& tx, core::KeyId id, const std::string& new_hash, std::int64_t prev_valid_until, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE gateway_keys SET prev_secret_hash = secret_hash, prev_valid_until = ?, secret_hash = ?, "
                      "secret_created_at = ?, updated_at = ? WHERE id = ? AND revoked_at IS NULL");
  q.bind(1, prev_valid_until);
  q.bind(2, new_hash.data(), static_cast<int>(new_hash.size()));
  q.bind(3, now);
  q.bind(4, now);
  q.bind(5, id.value);
  return q.exec() == 1;
}

bool end_grace(Tx& tx, core::KeyId id, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "UPDATE gateway_keys SET prev_valid_until = ?, updated_at = ? "
                      "WHERE id = ? AND revoked_at IS NULL AND prev_valid_until > ?");
  q.bind(1, now);
  q.bind(2, now);
  q.bind(3, id.value);
  q.bind(4, now);
  return q.exec() == 1;
}

void touch(Tx& tx, core::KeyId id, std::int64_t now, const std::string& ip) {
  SQLite::Statement q(tx.db(), "UPDATE gateway_keys SET last_used_at = ?, last_used_ip = ? WHERE id = ?");
  q.bind(1, now);
  q.bind(2, ip);
  q.bind(3, id.value);
  q.exec();
}

}  // namespace airlock::store::gateway_keys
