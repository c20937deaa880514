#pragma once
// Server-side sessions. Only SHA-256(token) is stored; a row is found by that hash.
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "store/tx.h"

namespace airlock::store {

struct SessionRow {
  core::SessionId id;
  core::UserId user_id;
  std::string csrf_token;
  bool mfa_done = false;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t reauth_at = 0;  // last password + second factor: sign-in or step-up
  std::string ip;
  std::string user_agent;
};

namespace sessions {

// `reauth`: the session starts stepped up (reauth_at = now), else reauth_at = 0.
core::SessionId insert(Tx& tx, core::UserId user, const std::string& token_hash, const std::string& csrf_token,
                       bool mfa_done, std::int64_t now, const std::string& ip, const std::string& user_agent,
                       bool reauth = true);
std::optional<SessionRow> find_open_by_token_hash(Tx& tx, const std::string& token_hash);
std::vector<SessionRow> list_open_for_user(Tx& tx, core::UserId user);
void touch(Tx& tx, core::SessionId id, std::int64_t now);
// Records a step-up (password and second factor confirmed again) on an open session.
void set_reauth(Tx& tx, core::SessionId id, std::int64_t now);
// Ends every open session (owners' only when `owners_too`) except `keep`; returns how many.
int end_all(Tx& tx, core::SessionId keep, bool owners_too, std::int64_t now, const std::string& reason);
// Owner-scoped: ends the session only if it belongs to `user`. Returns whether one was ended.
bool end_for_user(Tx& tx, core::UserId user, core::SessionId id, std::int64_t now, const std::string& reason);
void end(Tx& tx, core::SessionId id, std::int64_t now, const std::string& reason);
// Ends every open session of `user`; returns how many.
int end_all_for_user(Tx& tx, core::UserId user, std::int64_t now, const std::string& reason);
// Ends every open session of users without a second factor; returns how many.
int end_all_without_factor(Tx& tx, std::int64_t now, const std::string& reason);
bool is_open(Tx& tx, core::SessionId id);

}  // namespace sessions
}  // namespace airlock::store
