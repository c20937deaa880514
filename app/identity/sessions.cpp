#include "identity/sessions.h"

#include "identity/audit_events.h"
#include "store/access_tokens_repo.h"
#include "store/one_time_tokens_repo.h"

namespace airlock::identity {
namespace {
// last_seen_at is written at most this often, so browsing is not one write per request; the
// idle timeout is therefore exact to within this much.
constexpr std::int64_t kTouchEvery = 30;
}  // namespace

NewSession start_session(Deps& deps, store::Tx& tx, core::UserId user, bool mfa_done, const Origin& origin,
                         bool signed_in) {
  // At most max_sessions live sessions per user (ASVS V7.4.5): the new one may push out the oldest,
  // which is audited. Sessions past their timeouts are ended on the way and do not count.
  auto now = deps.now_s();
  int live = 0;
  auto open = store::sessions::list_open_for_user(tx, user);  // newest first
  for (const auto& s : open) {
    if (now - s.last_seen_at > deps.policies.session_idle.count()) {
      store::sessions::end(tx, s.id, now, "idle_timeout");
    } else if (now - s.created_at > deps.policies.session_absolute.count()) {
      store::sessions::end(tx, s.id, now, "absolute_timeout");
    } else if (++live >= deps.policies.max_sessions) {
      store::sessions::end(tx, s.id, now, "session_cap");
      auto e = origin_event("session.end", "success", origin);
      e.actor = "system";
      e.target = "session:" + s.id.str();
      e.details_json = R"({"reason":"session_cap","user":)" + user.str() + "}";
      audit::append(tx, e, audit_time(deps));
    }
  }
  auto secret = new_secret(deps.random);
  auto csrf = new_secret(deps.random);
  NewSession s;
  s.token = secret.token;
  s.csrf_token = csrf.token;
  s.id = store::sessions::insert(tx, user, secret.hash, s.csrf_token, mfa_done, deps.now_s(), origin.ip,
                                 origin.user_agent.substr(0, 512), mfa_done && signed_in);
  return s;
}

std::optional<ActiveSession> resolve_session(Deps& deps, std::string_view token, bool* unreadable) {
  auto hash = issued_secret_hash(token);
  if (!hash) return std::nullopt;
  std::optional<ActiveSession> found;
  std::string expire_reason;
  auto now = deps.now_s();
  auto s = deps.db.view([&](store::Tx& tx) {
    auto row = store::sessions::find_open_by_token_hash(tx, *hash);
    if (!row) return core::Status::ok();
    if (now - row->last_seen_at > deps.policies.session_idle.count()) {
      expire_reason = "idle_timeout";
    } else if (now - row->created_at > deps.policies.session_absolute.count()) {
      expire_reason = "absolute_timeout";
    }
    auto user = store::users::find_by_id(tx, row->user_id);
    if (!user || !user->active) expire_reason = expire_reason.empty() ? "user_inactive" : expire_reason;
    if (expire_reason.empty()) found = ActiveSession{*row, *user};
    else found = ActiveSession{*row, {}};
    return core::Status::ok();
  });
  if (!s && unreadable) *unreadable = true;
  if (!s || !found) return std::nullopt;
  if (!expire_reason.empty()) {
    (void)end_session(deps, found->session.id, expire_reason);
    return std::nullopt;
  }
  if (now - found->session.last_seen_at >= kTouchEvery) {
    auto id = found->session.id;
    (void)deps.db.write([&](store::Tx& tx) {
      store::sessions::touch(tx, id, now);
      return core::Status::ok();
    });
  }
  return found;
}

core::Status end_session(Deps& deps, core::SessionId id, const std::string& reason) {
  return deps.db.write([&](store::Tx& tx) {
    store::sessions::end(tx, id, deps.now_s(), reason);
    return core::Status::ok();
  });
}

AccessEnded end_all_access(store::Tx& tx, core::UserId user, std::int64_t now, const std::string& reason) {
  AccessEnded done;
  done.sessions = store::sessions::end_all_for_user(tx, user, now, reason);
  done.tokens = store::access_tokens::revoke_all_for_user(tx, user, now);
  store::one_time_tokens::void_unused_for_user(tx, "reset", user, now);
  return done;
}

}  // namespace airlock::identity
