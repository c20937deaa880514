#include "store/settings_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::settings {

std::optional<std::string> get(Tx& tx, std::string_view key) {
  SQLite::Statement q(tx.db(), "SELECT value FROM settings WHERE key = ?");
  q.bind(1, std::string(key));
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void put(Tx& tx, std::string_view key, const std::string& value, const std::string& updated_at) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
  q.bind(1, std::string(key));
  q.bind(2, value);
  q.bind(3, updated_at);
  q.exec();
}

void remove(Tx& tx, std::string_view key) {
  SQLite::Statement q(tx.db(), "DELETE FROM settings WHERE key = ?");
  q.bind(1, std::string(key));
  q.exec();
}

}  // namespace airlock::store::settings
