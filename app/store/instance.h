#pragma once
// The one row describing this installation (single-tenant: one organisation per install).
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "store/database.h"

namespace airlock::store {

// Returns the instance id, creating the row on first start.
core::Result<std::string> ensure_instance(Database& db, core::Random& random, const core::Clock& clock);

}  // namespace airlock::store
