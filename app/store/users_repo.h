#pragma once
// Users. E-mail addresses arrive here already normalised (trimmed, lower-cased) by identity/.
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "identity/role.h"
#include "store/tx.h"

namespace airlock::store {

struct UserRow {
  core::UserId id;
  std::string email;
  std::string password_hash;
  identity::Role role = identity::Role::kViewer;
  bool active = true;
  std::optional<std::string> totp_secret;  // field-encrypted token
  bool totp_enabled = false;
  std::int64_t totp_last_step = 0;
  // While enrolling (totp_secret set, totp_enabled false): the session that may see and confirm
  // the secret, and until when.
  std::optional<std::int64_t> totp_enrol_session;
  std::int64_t totp_enrol_expires_at = 0;
  std::int64_t locked_until = 0;
  std::int64_t created_at = 0;
};

namespace users {

std::optional<UserRow> find_by_email(Tx& tx, const std::string& email);
std::optional<UserRow> find_by_id(Tx& tx, core::UserId id);
std::vector<UserRow> list_all(Tx& tx);
std::int64_t count_all(Tx& tx);
std::int64_t count_active_owners(Tx& tx);

core::UserId insert(Tx& tx, const std::string& email, const std::string& password_hash, identity::Role role,
                    std::int64_t now);
void set_password_hash(Tx& tx, core::UserId id, const std::string& hash, std::int64_t now);
void set_role(Tx& tx, core::UserId id, identity::Role role, std::int64_t now);
void set_active(Tx& tx, core::UserId id, bool active, std::int64_t now);
void set_locked_until(Tx& tx, core::UserId id, std::int64_t until, std::int64_t now);
// Stores the encrypted secret; enabled stays as given. Ends any enrolment in progress.
void set_totp(Tx& tx, core::UserId id, const std::optional<std::string>& secret_token, bool enabled,
              std::int64_t now);
// Starts an enrolment: a new pending secret (TOTP off) for `session` only, until `expires_at`.
void set_totp_enrolment(Tx& tx, core::UserId id, const std::string& secret_token, std::int64_t session,
                        std::int64_t expires_at, std::int64_t now);
// Removes the second factor entirely: TOTP secret, flag and last step, and every backup code.
// Returns how many backup codes were removed.
int clear_second_factor(Tx& tx, core::UserId id, std::int64_t now);
// Records the last accepted TOTP step; returns false when `step` is not newer (a replay raced us).
bool advance_totp_step(Tx& tx, core::UserId id, std::int64_t step);

}  // namespace users
}  // namespace airlock::store
