#pragma once
// Personal access tokens for the management API. A token is "alk_pat_<public id>_<secret>"; the
// public id finds the row, and only a keyed hash of the whole token is stored.
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "store/tx.h"

namespace airlock::store {

struct AccessTokenRow {
  core::TokenId id;
  core::UserId user_id;
  std::string public_id;
  std::string token_hash;  // HMAC-SHA256, raw bytes
  std::string name;
  std::string scope;  // read | read_write
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> last_used_at;
};

namespace access_tokens {

core::TokenId insert(Tx& tx, core::UserId user, const std::string& public_id, const std::string& token_hash,
                     const std::string& name, const std::string& scope, std::int64_t now,
                     std::optional<std::int64_t> expires_at);
// A live (not revoked) token by public id; expiry is the caller's check.
std::optional<AccessTokenRow> find_live_by_public_id(Tx& tx, const std::string& public_id);
std::vector<AccessTokenRow> list_live_for_user(Tx& tx, core::UserId user);
void touch(Tx& tx, core::TokenId id, std::int64_t now);
// Owner-scoped revocation; false when it is not the user's or already revoked.
bool revoke_for_user(Tx& tx, core::UserId user, core::TokenId id, std::int64_t now);
int revoke_all_for_user(Tx& tx, core::UserId user, std::int64_t now);

}  // namespace access_tokens
}  // namespace airlock::store
