#pragma once
// Security events, appended in the same transaction as the change they describe (a change and
// its record commit together or not at all). The table refuses UPDATE and DELETE. Events never
// carry secrets: callers put ids, e-mails, roles and before/after values of settings in `details`.
#include <optional>
#include <string>

#include "core/ids.h"
#include "store/tx.h"

namespace airlock::audit {

struct Event {
  std::string action;                // e.g. "login", "user.invite", "session.end"
  std::string outcome = "success";   // success | failure | denied
  std::optional<core::UserId> actor_user;
  std::string actor = "anonymous";   // e-mail, "cli" or "system" when there is no user
  std::string target;                // what was acted on, e.g. "user:12"
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string details_json = "{}";   // a JSON object
};

// `at` is RFC 3339 UTC. Throws SQLite::Exception like the other repository calls.
void append(store::Tx& tx, const Event& e, const std::string& at);

}  // namespace airlock::audit
