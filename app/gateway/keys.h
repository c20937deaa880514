#pragma once
// Gateway keys as a service: create (the key is returned once), list, revoke, and authenticate a
// presented key for one request. Every check reads the row again, so revocation, disabling, expiry
// and limit changes hold from the very next request, also for keys changed by `airlock key` on the
// host while the server runs.
//
// Error codes: "key_name_invalid", "key_scope_invalid", "key_cidr_invalid", "key_limit_invalid",
// "key_expiry_invalid", "key_model_invalid", "not_found"; authenticate(): "invalid_api_key"
// (malformed, unknown, revoked, disabled or expired: one code, so a caller learns nothing about
// keys it does not hold), "rotated_secret" (a secret the key had before a rotation whose grace is
// over: the caller is told invalid_api_key, the audit log more) and "ip_not_allowed".
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "core/result.h"
#include "gateway/deps.h"
#include "store/gateway_keys_repo.h"

namespace airlock::gateway {

inline const std::vector<std::string> kAllScopes = {"chat", "completions", "embeddings", "models", "responses"};

struct KeySpec {
  std::string name;
  std::optional<core::UserId> owner;
  std::vector<std::string> allowed_models;  // empty: all
  std::vector<std::string> scopes = kAllScopes;
  std::vector<std::string> ip_allowlist;    // CIDRs; empty: any
  store::GatewayKeyLimits limits;
  std::optional<std::int64_t> expires_in_s;
  std::string metadata_json = "{}";
  // The key's guardrail override (guardrails::read_key_override): "" follows the organisation's
  // policy, "mask" one action both ways, "requests=block,responses=off" one per direction.
  std::string guardrails;
};

struct CreatedKey {
  std::string key;  // shown once; never stored or logged
  core::KeyId id;
  std::string public_id;
};

core::Result<CreatedKey> create_key(Deps& deps, const KeySpec& spec, const Actor& actor);
core::Result<std::vector<store::GatewayKeyRow>> list_keys(Deps& deps, bool include_revoked);
core::Status revoke_key(Deps& deps, core::KeyId id, const Actor& actor);

// What an editor may change on a live key; unset fields stay as they are. Limits use 0 for "none".
struct KeyUpdate {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> allowed_models, scopes, ip_allowlist;
  std::optional<std::int64_t> rpm, tpm, monthly_requests, monthly_tokens, max_tokens_cap;
  std::optional<bool> enabled;
  std::optional<std::string> guardrails;  // "inherit" or "" clears the override
};
// Audited with before and after values. "not_found" for unknown or revoked keys.
core::Result<store::GatewayKeyRow> update_key(Deps& deps, core::KeyId id, const KeyUpdate& u, const Actor& actor);

// The key row behind `presented` if it may be used now from `client_ip`. Records last use (at
// most once a minute per key, off the hot path of every request).
core::Result<store::GatewayKeyRow> authenticate(Deps& deps, std::string_view presented, const std::string& client_ip);

}  // namespace airlock::gateway
