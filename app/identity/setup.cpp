#include "identity/setup.h"

#include "audit/audit_log.h"
#include "core/log.h"
#include "identity/email.h"
#include "identity/password_policy.h"
#include "store/one_time_tokens_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {
namespace {

constexpr const char* kSetup = "setup";

core::Result<std::string> checked_hash(Deps& deps, const std::string& email, std::string_view password) {
  if (auto s = check_new_password(deps, password, email); !s) return s;
  return hash_password(password, deps.policies.argon2, deps.random);
}

std::string at(Deps& deps) { return core::format_time_utc(deps.clock.system_now()); }

}  // namespace

core::Result<std::optional<std::string>> issue_setup_token(Deps& deps) {
  std::optional<std::string> token;
  auto s = deps.db.write([&](store::Tx& tx) {
    if (store::users::count_all(tx) > 0) return core::Status::ok();
    auto secret = new_secret(deps.random);
    auto now = deps.now_s();
    store::one_time_tokens::void_unused(tx, kSetup, now);
    store::one_time_tokens::insert(tx, kSetup, secret.hash, std::nullopt, Role::kOwner, std::nullopt, now,
                                   now + deps.policies.setup_token_lifetime.count());
    audit::append(tx, {.action = "setup.link_issued", .actor = "system"}, at(deps));
    token = secret.token;
    return core::Status::ok();
  });
  if (!s) return s;
  return token;
}

bool setup_token_usable(Deps& deps, std::string_view token) {
  auto hash = issued_secret_hash(token);
  if (!hash) return false;
  bool usable = false;
  auto s = deps.db.view([&](store::Tx& tx) {
    usable = store::users::count_all(tx) == 0 &&
             store::one_time_tokens::find_usable(tx, kSetup, *hash, deps.now_s()).has_value();
    return core::Status::ok();
  });
  return s.is_ok() && usable;
}

core::Result<core::UserId> complete_setup(Deps& deps, std::string_view token, std::string_view email_raw,
                                          std::string_view password, const Origin& origin) {
  if (!setup_token_usable(deps, token))
    return core::Status::error("setup_token_invalid", "This setup link is not valid any more.");
  auto email = normalize_email(email_raw);
  if (!email) return core::Status::error("email_invalid", "Enter a valid e-mail address.");
  // Hashing takes ~100 ms: done before the write job so the single writer is not held by it.
  auto hash = checked_hash(deps, *email, password);
  if (!hash) return hash.status();
  core::UserId id;
  auto token_hash = hash_secret(token);
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    // Re-checked inside the one writer: of two racing submissions only the first finds the token.
    auto row = store::one_time_tokens::find_usable(tx, kSetup, token_hash, now);
    if (!row || !store::one_time_tokens::consume(tx, row->id, now))
      return core::Status::error("setup_token_invalid", "This setup link is not valid any more.");
    if (store::users::count_all(tx) > 0) return core::Status::error("setup_done", "Airlock is already set up.");
    id = store::users::insert(tx, *email, *hash, Role::kOwner, now);
    audit::append(tx,
                  {.action = "setup.owner_created", .actor_user = id, .actor = *email, .target = "user:" + id.str(),
                   .ip = origin.ip, .user_agent = origin.user_agent, .request_id = origin.request_id,
                   .details_json = R"({"role":"owner"})"},
                  at(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return id;
}

core::Result<core::UserId> create_owner(Deps& deps, std::string_view email_raw, std::string_view password) {
  auto email = normalize_email(email_raw);
  if (!email) return core::Status::error("email_invalid", "not a valid e-mail address");
  auto hash = checked_hash(deps, *email, password);
  if (!hash) return hash.status();
  core::UserId id;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    if (store::users::count_active_owners(tx) > 0)
      return core::Status::error("owner_exists", "an owner exists already; invite further users from the console");
    if (store::users::find_by_email(tx, *email))
      return core::Status::error("email_taken", "a user with this e-mail exists");
    id = store::users::insert(tx, *email, *hash, Role::kOwner, now);
    store::one_time_tokens::void_unused(tx, kSetup, now);
    audit::append(tx,
                  {.action = "setup.owner_created", .actor = "cli", .target = "user:" + id.str(),
                   .details_json = R"({"role":"owner","via":"cli"})"},
                  at(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return id;
}

}  // namespace airlock::identity
