#include "store/instance.h"

#include <SQLiteCpp/Statement.h>

#include "core/log.h"

namespace airlock::store {

core::Result<std::string> ensure_instance(Database& db, core::Random& random, const core::Clock& clock) {
  std::string id;
  auto s = db.read([&](SQLite::Database& c) {
    SQLite::Statement q(c, "SELECT instance_id FROM instance WHERE id = 1");
    if (q.executeStep()) id = q.getColumn(0).getString();
  });
  if (!s) return s;
  if (!id.empty()) return id;
  std::string fresh = core::to_hex(random.bytes(16));
  std::string now = core::format_time_utc(clock.system_now());
  s = db.writer().run([&](SQLite::Database& c) {
    SQLite::Statement ins(c, "INSERT OR IGNORE INTO instance (id, instance_id, created_at) VALUES (1, ?, ?)");
    ins.bind(1, fresh);
    ins.bind(2, now);
    ins.exec();
  });
  if (!s) return s;
  // Read back: with INSERT OR IGNORE a concurrent first start keeps whichever row won.
  s = db.read([&](SQLite::Database& c) {
    SQLite::Statement q(c, "SELECT instance_id FROM instance WHERE id = 1");
    if (q.executeStep()) id = q.getColumn(0).getString();
  });
  if (!s) return s;
  return id;
}

}  // namespace airlock::store
