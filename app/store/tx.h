#pragma once
// A handle on one connection inside a transaction, passed from Database::write()/view() to the
// repositories. Services pass it along without looking inside, so SQL and SQLite types stay in
// store/; a service can still make several repository calls (a change and its audit event) commit
// or fail together.
#include <SQLiteCpp/Database.h>

namespace airlock::store {

class Tx {
 public:
  explicit Tx(SQLite::Database& db) : db_(db) {}
  SQLite::Database& db() { return db_; }  // for repositories only

 private:
  SQLite::Database& db_;
};

}  // namespace airlock::store
