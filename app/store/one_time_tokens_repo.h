#pragma once
// Setup, invite and password-reset links. Stored as SHA-256(token); consumed with a single conditional UPDATE, so
// two concurrent uses of one token cannot both succeed.
#include <optional>
#include <string>

#include "core/ids.h"
#include "identity/role.h"
#include "store/tx.h"

namespace airlock::store {

struct OneTimeTokenRow {
  core::TokenId id;
  std::string kind;  // "setup" | "invite" | "reset"
  std::optional<std::string> email;
  std::optional<identity::Role> role;
  std::optional<core::UserId> created_by;
  std::int64_t expires_at = 0;
  std::optional<core::UserId> user_id;  // the account a reset link is for
};

namespace one_time_tokens {

core::TokenId insert(Tx& tx, const std::string& kind, const std::string& token_hash,
                     const std::optional<std::string>& email, const std::optional<identity::Role>& role,
                     const std::optional<core::UserId>& created_by, std::int64_t now, std::int64_t expires_at,
                     const std::optional<core::UserId>& user_id = std::nullopt);
// An unused, unexpired token of `kind`, or nothing.
std::optional<OneTimeTokenRow> find_usable(Tx& tx, const std::string& kind, const std::string& token_hash,
                                           std::int64_t now);
// Marks it used; false if it was already used or has expired meanwhile (the loser of a race).
bool consume(Tx& tx, core::TokenId id, std::int64_t now);
// Voids every unused token of `kind` (a new setup link replaces the old one).
void void_unused(Tx& tx, const std::string& kind, std::int64_t now);
// Voids every unused token of `kind` for one user (a new reset link replaces the older ones).
void void_unused_for_user(Tx& tx, const std::string& kind, core::UserId user, std::int64_t now);

}  // namespace one_time_tokens
}  // namespace airlock::store
