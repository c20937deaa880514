#include "store/migrations.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace airlock::store {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "instance and settings",
       R"SQL(
        CREATE TABLE instance (
          id          INTEGER PRIMARY KEY CHECK (id = 1),
          instance_id TEXT NOT NULL,
          created_at  TEXT NOT NULL
        ) STRICT;
        -- Small typed settings edited from the console later (security policy etc.).
        CREATE TABLE settings (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
       )SQL"},
  };
  return kMigrations;
}

int latest_schema_version() { return migrations().back().version; }

core::Result<int> schema_version(SQLite::Database& db) {
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
    SQLite::Statement q(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    q.executeStep();
    return q.getColumn(0).getInt();
  } catch (const SQLite::Exception& e) {
    return core::Status::error("store_error", "cannot read the schema version", e.what());
  }
}

core::Status migrate(SQLite::Database& db) {
  auto current = schema_version(db);
  if (!current) return current.status();
  if (*current > latest_schema_version())
    return core::Status::error("schema_too_new",
                               "the database schema (version " + std::to_string(*current) +
                                   ") is newer than this airlock binary supports (version " +
                                   std::to_string(latest_schema_version()) + "); run a newer airlock");
  for (const auto& m : migrations()) {
    if (m.version <= *current) continue;
    try {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      db.exec(m.sql);
      SQLite::Statement rec(db,
                            "INSERT INTO schema_migrations (version, name, applied_at) "
                            "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
      rec.bind(1, m.version);
      rec.bind(2, m.name);
      rec.exec();
      tx.commit();
    } catch (const SQLite::Exception& e) {
      return core::Status::error("migration_failed", "migration " + std::to_string(m.version) + " failed", e.what());
    }
  }
  return core::Status::ok();
}

}  // namespace airlock::store
