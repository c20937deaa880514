#pragma once
// Append-only, numbered schema migrations. Order is important: add new migrations at the end of the
// list in migrations.cpp and never edit a released one. Each runs in its own transaction together
// with the row that records it.
#include <SQLiteCpp/Database.h>

#include <vector>

#include "core/result.h"

namespace airlock::store {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

const std::vector<Migration>& migrations();
int latest_schema_version();

// Current version recorded in the database (0 for a new one).
core::Result<int> schema_version(SQLite::Database& db);

// Applies every pending migration; refuses a database whose schema is newer than this binary.
core::Status migrate(SQLite::Database& db);

}  // namespace airlock::store
