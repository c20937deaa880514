#include "identity/audit_events.h"

#include "core/log.h"

namespace airlock::identity {

audit::Event user_event(const std::string& action, core::UserId actor, const std::string& actor_email,
                        const Origin& origin) {
  auto e = origin_event(action, "success", origin);
  e.actor_user = actor;
  e.actor = actor_email;
  e.target = "user:" + actor.str();
  return e;
}

audit::Event origin_event(const std::string& action, const std::string& outcome, const Origin& origin) {
  audit::Event e;
  e.action = action;
  e.outcome = outcome;
  e.ip = origin.ip;
  e.user_agent = origin.user_agent;
  e.request_id = origin.request_id;
  return e;
}

std::string audit_time(const Deps& deps) { return core::format_time_utc(deps.clock.system_now()); }

}  // namespace airlock::identity
