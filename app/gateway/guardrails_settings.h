#pragma once
// The organisation's guardrail policy as owners read and change it (the management API and the
// console's security settings). While the provisioning file holds a policy it is read-only here
// ("provisioned"). Every change is audited with the policy before and after (never any text a
// detector found: there is none to show).
#include "core/result.h"
#include "gateway/deps.h"
#include "guardrails/policy.h"

namespace airlock::gateway {

struct GuardrailsState {
  guardrails::Policy policy;  // the default (monitor both ways) until one is saved
  bool provisioned = false;
};

core::Result<GuardrailsState> read_guardrails(Deps& deps);

// Saves `policy` (its rules must compile: "guardrails_invalid" otherwise, naming the field in the
// message). "provisioned" while the file holds the policy.
core::Status save_guardrails(Deps& deps, const guardrails::Policy& policy, const Actor& actor);

}  // namespace airlock::gateway
