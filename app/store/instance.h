#pragma once
// The one row describing this installation (single-tenant: one organisation per install), and the
// id of the master key its encrypted fields were written under.
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "store/database.h"

namespace airlock::store {

// Returns the instance id, creating the row on first start. `master_key_id` is recorded then; on
// later starts a different id is refused ("master_key_mismatch"), because every field encrypted
// under the recorded key would fail to open.
core::Result<std::string> ensure_instance(Database& db, core::Random& random, const core::Clock& clock,
                                          const std::string& master_key_id);

}  // namespace airlock::store
