// Upgrades that change data, not only the schema: run from the schema before them, on rows that
// exist then.
#include "store/migrations.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <catch2/catch_test_macros.hpp>

#include "store/gateway_keys_repo.h"
#include "store/tx.h"

using namespace airlock;

namespace {

// Applies migrations up to `version` as migrate() does.
void migrate_to(SQLite::Database& db, int version) {
  REQUIRE(store::schema_version(db));
  for (const auto& m : store::migrations()) {
    if (m.version > version) break;
    db.exec(m.sql);
    SQLite::Statement rec(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 'test')");
    rec.bind(1, m.version);
    rec.bind(2, m.name);
    rec.exec();
  }
}

std::string scopes_of(SQLite::Database& db, const std::string& public_id) {
  SQLite::Statement q(db, "SELECT scopes FROM gateway_keys WHERE public_id = ?");
  q.bind(1, public_id);
  REQUIRE(q.executeStep());
  return q.getColumn(0).getString();
}

}  // namespace

TEST_CASE("migration 9: keys that could use every endpoint gain the responses scope, others do not", "[store][migrations]") {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  migrate_to(db, 8);
  store::Tx tx(db);
  auto add = [&](const std::string& id, std::vector<std::string> scopes) {
    store::GatewayKeyRow row;
    row.public_id = id;
    row.secret_hash = std::string(32, 'h');
    row.name = id;
    row.scopes = std::move(scopes);
    store::gateway_keys::insert(tx, row, 1700000000);
  };
  add("allscope", {"chat", "completions", "embeddings", "models"});
  add("reordrd", {"models", "chat", "embeddings", "completions"});
  add("chatonly", {"chat"});
  add("threeof4", {"chat", "completions", "embeddings"});
  REQUIRE(store::migrate(db));
  CHECK(scopes_of(db, "allscope") == R"(["chat","completions","embeddings","models","responses"])");
  CHECK(scopes_of(db, "reordrd") == R"(["models","chat","embeddings","completions","responses"])");
  CHECK(scopes_of(db, "chatonly") == R"(["chat"])");
  CHECK(scopes_of(db, "threeof4") == R"(["chat","completions","embeddings"])");
  CHECK(store::schema_version(db).value() == store::latest_schema_version());
  // Migration 10: providers serve the Responses API unless they say otherwise.
  SQLite::Statement q(db, "SELECT dflt_value FROM pragma_table_info('providers') WHERE name = 'serves_responses'");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getString() == "1");
}
