#include "audit/audit_log.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::audit {

void append(store::Tx& tx, const Event& e, const std::string& at) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO audit_events (at, action, outcome, actor_user_id, actor, target, ip, user_agent, "
                      "request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, at);
  q.bind(2, e.action);
  q.bind(3, e.outcome);
  if (e.actor_user) q.bind(4, e.actor_user->value);
  q.bind(5, e.actor);
  q.bind(6, e.target);
  q.bind(7, e.ip);
  // A user agent is client-chosen; keep the record bounded.
  q.bind(8, e.user_agent.substr(0, 512));
  q.bind(9, e.request_id);
  q.bind(10, e.details_json);
  q.exec();
}

}  // namespace airlock::audit
