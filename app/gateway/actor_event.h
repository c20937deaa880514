#pragma once
// The audit event for a gateway change made by `actor` (a console user or "cli" on the host).
#include <string>

#include "audit/audit_log.h"
#include "gateway/deps.h"

namespace airlock::gateway {

inline audit::Event actor_event(const std::string& action, const Actor& actor, const std::string& target) {
  audit::Event e;
  e.action = action;
  e.actor_user = actor.user;
  e.actor = actor.name;
  e.ip = actor.ip;
  e.request_id = actor.request_id;
  e.target = target;
  return e;
}

}  // namespace airlock::gateway
