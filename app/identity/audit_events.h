#pragma once
// Starting points for the audit events identity writes: who acted and from where. Callers fill in
// target, outcome and details.
#include <string>

#include "audit/audit_log.h"
#include "core/ids.h"
#include "identity/service.h"

namespace airlock::identity {

// An event by a signed-in user about themselves (target "user:<id>").
audit::Event user_event(const std::string& action, core::UserId actor, const std::string& actor_email,
                        const Origin& origin);
// An event with no known user yet (failed sign-in, setup): actor stays "anonymous".
audit::Event origin_event(const std::string& action, const std::string& outcome, const Origin& origin);
// The event time as stored: RFC 3339 UTC from the injected clock.
std::string audit_time(const Deps& deps);

}  // namespace airlock::identity
