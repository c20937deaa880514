#include "identity/account.h"

#include "identity/audit_events.h"
#include "identity/password_policy.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"

namespace airlock::identity {
core::Result<NewSession> change_password(Deps& deps, const store::UserRow& user, core::SessionId from,
                                         std::string_view current, std::string_view fresh, const Origin& origin) {
  if (!verify_password(current, user.password_hash, deps.policies.argon2).ok)
    return core::Status::error("password_wrong", "The current password is not right.");
  if (auto s = check_new_password(deps, fresh, user.email); !s) return s;
  auto hash = hash_password(fresh, deps.policies.argon2, deps.random);
  if (!hash) return hash.status();
  NewSession session;
  auto s = deps.db.write([&](store::Tx& tx) {
    auto now = deps.now_s();
    // The session asking may have ended while argon2 ran (signed out by an admin, the user
    // deactivated, the MFA policy turned on): then it gets no fresh session, and nothing changes.
    if (!store::sessions::is_open(tx, from))
      return core::Status::error("session_ended", "This session has ended. Sign in again.");
    store::users::set_password_hash(tx, user.id, *hash, now);
    auto ended = end_all_access(tx, user.id, now, "password_changed");
    // The password alone: the new session is not stepped up (a code may be owed).
    session = start_session(deps, tx, user.id, true, origin, false);
    auto e = user_event("password.change", user.id, user.email, origin);
    e.details_json = R"({"sessions_ended":)" + std::to_string(ended.sessions) + R"(,"tokens_revoked":)" +
                     std::to_string(ended.tokens) + "}";
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return session;
}

core::Result<std::vector<store::SessionRow>> open_sessions(Deps& deps, core::UserId user) {
  return deps.db.fetch([&](store::Tx& tx) { return store::sessions::list_open_for_user(tx, user); });
}

core::Status end_own_session(Deps& deps, const store::UserRow& user, core::SessionId id, const Origin& origin) {
  return deps.db.write([&](store::Tx& tx) {
    if (!store::sessions::end_for_user(tx, user.id, id, deps.now_s(), "ended_by_user"))
      return core::Status::error("not_found", "No such session.");
    auto e = user_event("session.end", user.id, user.email, origin);
    e.target = "session:" + id.str();
    e.details_json = R"({"reason":"ended_by_user"})";
    audit::append(tx, e, audit_time(deps));
    return core::Status::ok();
  });
}

}  // namespace airlock::identity
