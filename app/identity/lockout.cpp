#include "identity/lockout.h"

#include "core/cidr.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cctype>

#include "core/bytes.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "identity/email.h"
#include "identity/audit_events.h"
#include "store/users_repo.h"

namespace airlock::identity {
namespace {

std::int64_t failures(store::Tx& tx, const std::string& subject, const std::string* ip, std::int64_t since) {
  SQLite::Statement q(tx.db(), ip ? "SELECT count(*) FROM auth_failures WHERE subject = ? AND at > ? AND ip = ?"
                                  : "SELECT count(*) FROM auth_failures WHERE subject = ? AND at > ?");
  q.bind(1, subject);
  q.bind(2, since);
  if (ip) q.bind(3, *ip);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace

std::string subject_of(std::string_view email) {
  std::string key;
  if (auto e = normalize_email(email)) key = *e;
  else
    for (char ch : email) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  auto d = crypto::sha256(key);
  return core::to_hex(d.data(), d.size());
}

std::int64_t account_failures_since(store::Tx& tx, const std::string& subject, std::int64_t since_s) {
  return failures(tx, subject, nullptr, since_s);
}

Throttle throttle_for(Deps& deps, store::Tx& tx, const std::string& subject, const std::string& ip) {
  auto since = deps.now_s() - deps.policies.lockout_window.count();
  auto limit = static_cast<std::int64_t>(deps.policies.lockout_failures);
  Throttle t;
  auto net = core::client_network_key(ip);  // an IPv6 client holds a whole /64: count it as one
  t.address_locked = failures(tx, subject, &net, since) >= limit;
  auto beyond = failures(tx, subject, nullptr, since) - limit;
  if (beyond >= 0) {
    auto ms = std::chrono::milliseconds(1000) * (std::int64_t{1} << std::min<std::int64_t>(beyond, 5));
    t.delay = std::min<std::chrono::milliseconds>(ms, kMaxLoginDelay);
  }
  return t;
}

bool record_auth_failure(Deps& deps, store::Tx& tx, std::optional<core::UserId> user, const std::string& subject,
                         const std::string& kind, const Origin& origin) {
  auto now = deps.now_s();
  SQLite::Statement ins(tx.db(), "INSERT INTO auth_failures (user_id, subject, ip, kind, at) VALUES (?, ?, ?, ?, ?)");
  if (user) ins.bind(1, user->value);
  ins.bind(2, subject);
  auto net = core::client_network_key(origin.ip);
  ins.bind(3, net);
  ins.bind(4, kind);
  ins.bind(5, now);
  ins.exec();
  auto since = now - deps.policies.lockout_window.count();
  // Exactly at the threshold: one lock event per address, not one per further attempt.
  if (failures(tx, subject, &net, since) != deps.policies.lockout_failures) return false;
  if (!user) return true;  // locked out alike, but there is no account to mark
  store::users::set_locked_until(tx, *user, now + deps.policies.lockout_duration.count(), now);
  auto e = origin_event("account.locked", "success", origin);
  e.actor = "system";
  e.target = "user:" + user->str();
  e.details_json = R"({"after_failures":)" + std::to_string(deps.policies.lockout_failures) + R"(,"scope":"address"})";
  audit::append(tx, e, core::format_time_utc(deps.clock.system_now()));
  return true;
}

int clear_lockout(Deps& deps, store::Tx& tx, core::UserId user, std::string_view email) {
  auto now = deps.now_s();
  store::users::set_locked_until(tx, user, 0, now);
  SQLite::Statement del(tx.db(), "DELETE FROM auth_failures WHERE (user_id = ? OR subject = ?) AND at > ?");
  del.bind(1, user.value);
  del.bind(2, subject_of(email));
  del.bind(3, now - deps.policies.lockout_window.count());
  return del.exec();
}

}  // namespace airlock::identity
