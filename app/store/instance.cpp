#include "store/instance.h"

#include <SQLiteCpp/Statement.h>

#include "core/log.h"

namespace airlock::store {
namespace {

struct Row {
  std::string instance_id;
  std::string master_key_id;
};

core::Result<Row> read_row(Database& db) {
  Row row;
  auto s = db.read([&](SQLite::Database& c) {
    SQLite::Statement q(c, "SELECT instance_id FROM instance WHERE id = 1");
    if (q.executeStep()) row.instance_id = q.getColumn(0).getString();
    SQLite::Statement k(c, "SELECT value FROM settings WHERE key = 'master_key_id'");
    if (k.executeStep()) row.master_key_id = k.getColumn(0).getString();
  });
  if (!s) return s;
  return row;
}

}  // namespace

core::Result<std::string> ensure_instance(Database& db, core::Random& random, const core::Clock& clock,
                                          const std::string& master_key_id) {
  auto row = read_row(db);
  if (!row) return row.status();
  if (row->instance_id.empty() || row->master_key_id.empty()) {
    std::string fresh = core::to_hex(random.bytes(16));
    std::string now = core::format_time_utc(clock.system_now());
    auto s = db.writer().run([&](SQLite::Database& c) {
      // OR IGNORE: a concurrent first start keeps whichever row won; we read it back below.
      SQLite::Statement ins(c, "INSERT OR IGNORE INTO instance (id, instance_id, created_at) VALUES (1, ?, ?)");
      ins.bind(1, fresh);
      ins.bind(2, now);
      ins.exec();
      SQLite::Statement key(c, "INSERT OR IGNORE INTO settings (key, value, updated_at) VALUES ('master_key_id', ?, ?)");
      key.bind(1, master_key_id);
      key.bind(2, now);
      key.exec();
      return core::Status::ok();
    });
    if (!s) return s;
    row = read_row(db);
    if (!row) return row.status();
  }
  if (row->master_key_id != master_key_id)
    return core::Status::error("master_key_mismatch",
                               "master key does not match this database (its fields were encrypted under key id " +
                                   row->master_key_id + ", the given key has id " + master_key_id + ")");
  return row->instance_id;
}

}  // namespace airlock::store
