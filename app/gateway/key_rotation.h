#pragma once
// Gateway-key rotation: a new secret for the same key (id, public id, limits, budgets and usage
// history stay). The replaced secret keeps opening the key for a grace period (0 = not at all),
// after which it is refused, and a client still sending it is audited as such
// (authz.denied, reason rotated_secret). Rotating again during a grace ends that grace: only the
// secret just replaced is ever honoured besides the current one.
//
// A max-age policy (settings "key_max_age_days", 0 or absent = none) marks keys whose current
// secret is older than that as due for rotation: on the keys page, in the API and in metrics.
//
// Error codes: "not_found" (unknown or revoked key; end_grace: no grace running),
// "grace_invalid", "max_age_invalid".
#include <cstdint>
#include <optional>

#include "core/result.h"
#include "gateway/deps.h"
#include "gateway/keys.h"

namespace airlock::gateway {

inline constexpr std::int64_t kMaxGraceSeconds = 30LL * 86400;
inline constexpr std::int64_t kMaxKeyAgeDays = 3650;

struct RotatedKey {
  std::string key;  // the new secret, shown once; never stored or logged
  std::optional<std::int64_t> previous_valid_until;  // unset: the old secret stopped at once
};

core::Result<RotatedKey> rotate_key(Deps& deps, core::KeyId id, std::int64_t grace_s, const Actor& actor);
core::Status end_grace(Deps& deps, core::KeyId id, const Actor& actor);

// The policy in force (nullopt: none).
core::Result<std::optional<std::int64_t>> key_max_age_days(Deps& deps);
// 0 turns it off. Audited as settings.change with before and after.
core::Status set_key_max_age_days(Deps& deps, std::int64_t days, const Actor& actor);

// Whether `key`'s current secret is older than the policy allows at `now`.
bool rotation_due(const store::GatewayKeyRow& key, std::optional<std::int64_t> max_age_days, std::int64_t now);
// Whether the replaced secret still opens the key at `now`.
bool in_grace(const store::GatewayKeyRow& key, std::int64_t now);

}  // namespace airlock::gateway
