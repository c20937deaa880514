#pragma once
// Personal access tokens for the management API (/api/v1/…): "alk_pat_<8-char id>_<secret>", the
// secret 256 random bits. Shown once at creation; stored as HMAC-SHA256 under a key derived from
// the master key; compared in constant time; optional expiry; revocable. Only a signed-in session
// that has passed MFA can create one (a token cannot mint tokens), and all of a user's tokens are
// revoked with their sessions on password change, role change, deactivation and MFA reset.
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "identity/service.h"
#include "store/access_tokens_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {

struct CreatedToken {
  std::string token;  // the whole secret token, to show once
  core::TokenId id;
};

// scope: "read" or "read_write"; expires_in_days 0 = never. Errors: "token_name_invalid",
// "token_scope_invalid", "token_expiry_invalid".
core::Result<CreatedToken> create_access_token(Deps& deps, const store::UserRow& user, std::string_view name,
                                               std::string_view scope, int expires_in_days, const Origin& origin);

struct TokenPrincipal {
  store::UserRow user;
  store::AccessTokenRow token;
};
// The user behind a bearer token, or nothing (malformed, unknown, revoked, expired, user inactive,
// or the store could not be read: then `*unreadable` is set).
std::optional<TokenPrincipal> resolve_access_token(Deps& deps, std::string_view bearer, bool* unreadable = nullptr);

core::Result<std::vector<store::AccessTokenRow>> list_access_tokens(Deps& deps, core::UserId user);
core::Status revoke_access_token(Deps& deps, const store::UserRow& user, core::TokenId id, const Origin& origin);

}  // namespace airlock::identity
