#pragma once
// gateway_keys: the keys SDKs use against /v1. Lists are JSON arrays in TEXT columns, read and
// written only here. A revoked key keeps its row (usage and audit point at it).
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "store/tx.h"

namespace airlock::store {

struct GatewayKeyLimits {
  std::optional<std::int64_t> rpm;               // requests per minute
  std::optional<std::int64_t> tpm;               // tokens per minute
  std::optional<std::int64_t> monthly_requests;  // budget per calendar month (UTC)
  std::optional<std::int64_t> monthly_tokens;
  std::optional<std::int64_t> max_tokens_cap;    // upper bound on a request's max_tokens
};

struct GatewayKeyRow {
  core::KeyId id;
  std::string public_id;
  std::string secret_hash;  // HMAC-SHA256, raw bytes
  std::string name;
  std::optional<core::UserId> owner;
  std::vector<std::string> allowed_models;  // empty = every model
  std::vector<std::string> scopes;          // chat, completions, embeddings, models
  std::vector<std::string> ip_allowlist;    // CIDR texts; empty = any address
  GatewayKeyLimits limits;
  std::string metadata_json = "{}";
  std::string guardrails;  // the key's guardrail override ("" = the organisation's policy)
  bool enabled = true;
  std::optional<std::int64_t> expires_at;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
  std::string last_used_ip;
  // Rotation (migration 8): the replaced secret's hash ("" when never rotated), until when it still
  // opens the key, and when the current secret was issued.
  std::string prev_secret_hash;
  std::optional<std::int64_t> prev_valid_until;
  std::int64_t secret_created_at = 0;
};

namespace gateway_keys {

// Inserts everything but id/created/updated/revoked/last-used from `row`.
core::KeyId insert(Tx& tx, const GatewayKeyRow& row, std::int64_t now);
std::optional<GatewayKeyRow> find_by_public_id(Tx& tx, const std::string& public_id);
std::optional<GatewayKeyRow> find(Tx& tx, core::KeyId id);
// Every key, newest first; revoked ones only when asked.
std::vector<GatewayKeyRow> list(Tx& tx, bool include_revoked);
// False when the key is unknown or already revoked.
bool revoke(Tx& tx, core::KeyId id, std::int64_t now);
void touch(Tx& tx, core::KeyId id, std::int64_t now, const std::string& ip);
// Rewrites the editable fields (name, models, scopes, allowlist, limits, enabled) from `row`.
bool update(Tx& tx, const GatewayKeyRow& row, std::int64_t now);
// A new secret for a live key: the current hash becomes the previous one, valid until
// `prev_valid_until`. False when the key is unknown or revoked.
bool rotate(Tx& tx, core::KeyId id, const std::string& new_hash, std::int64_t prev_valid_until, std::int64_t now);
// Ends a grace early (the previous secret stops working now). False when none is running.
bool end_grace(Tx& tx, core::KeyId id, std::int64_t now);

}  // namespace gateway_keys
}  // namespace airlock::store
