#include "store/database.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/barrier.h"
#include "store/migrations.h"

namespace airlock::store {
namespace {

core::Status store_error(const std::string& message, const std::string& detail) {
  return core::Status::error("store_error", message, detail);
}

void restrict_mode(const std::string& path) {
  if (::access(path.c_str(), F_OK) == 0) ::chmod(path.c_str(), 0600);
}

}  // namespace

core::Result<std::unique_ptr<SQLite::Database>> open_connection(const std::string& path, const core::SecretBytes& key,
                                                               int busy_timeout_ms, bool create) {
  std::unique_ptr<SQLite::Database> db;
  try {
    int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (create ? SQLite::OPEN_CREATE : 0);
    db = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
    std::string k(key.bytes().begin(), key.bytes().end());
    db->key(k);
    core::secure_zero(k.data(), k.size());
    {
      // Without this the "encrypted" database would silently be plain SQLite.
      SQLite::Statement v(*db, "PRAGMA cipher_version");
      if (!v.executeStep() || v.getColumn(0).getString().empty())
        return core::Status::error("store_error", "this build's SQLite has no encryption (SQLCipher missing)");
    }
    // SQLCipher accepts any key at open; the first read of page 1 is what proves it.
    SQLite::Statement probe(*db, "SELECT count(*) FROM sqlite_master");
    probe.executeStep();
  } catch (const SQLite::Exception& e) {
    if (e.getErrorCode() == SQLITE_NOTADB)
      return core::Status::error("wrong_db_key", "database key does not match this database",
                                 "or the file is not an Airlock database: " + path);
    return store_error("cannot open the database", e.what());
  }
  try {
    db->exec("PRAGMA journal_mode = WAL");
    // FULL: a commit the writer acknowledged survives a crash of the process and of the machine.
    db->exec("PRAGMA synchronous = FULL");
    db->exec("PRAGMA foreign_keys = ON");
    db->exec("PRAGMA secure_delete = ON");
    db->exec("PRAGMA temp_store = MEMORY");
  } catch (const SQLite::Exception& e) {
    return store_error("cannot configure the database connection", e.what());
  }
  return db;
}

core::Result<std::unique_ptr<Database>> Database::open(const std::string& path, const core::SecretBytes& key,
                                                       const DatabaseOptions& options) {
  bool exists = ::access(path.c_str(), F_OK) == 0;
  mode_t old_mask = ::umask(0077);  // the DB, -wal and -shm files are created 0600
  auto writer = open_connection(path, key, options.busy_timeout_ms, !exists);
  if (!writer) {
    ::umask(old_mask);
    return writer.status();
  }
  auto migrated = migrate(**writer);
  if (!migrated) {
    ::umask(old_mask);
    return migrated;
  }
  std::unique_ptr<Database> d(new Database());
  for (int i = 0; i < options.readers; ++i) {
    auto r = open_connection(path, key, options.busy_timeout_ms, false);
    if (!r) {
      ::umask(old_mask);
      return r.status();
    }
    d->free_.push_back(r->get());
    d->readers_.push_back(std::move(*r));
  }
  auto changes = ChangeCounters::open(path + "-changes");
  ::umask(old_mask);
  if (!changes) return changes.status();
  d->changes_ = std::move(*changes);
  for (const char* suffix : {"", "-wal", "-shm"}) restrict_mode(path + suffix);
  auto writer_options = options.writer;
  writer_options.changes = d->changes_.get();
  d->writer_ = std::make_unique<WriterQueue>(std::move(*writer), writer_options);
  return d;
}

Database::~Database() { close(); }

core::Status Database::read(const std::function<void(SQLite::Database&)>& fn) {
  SQLite::Database* conn = nullptr;
  {
    std::unique_lock lock(mu_);
    free_cv_.wait(lock, [&] { return !free_.empty() || readers_.empty(); });
    if (readers_.empty()) return core::Status::error("store_closed", "the store is closed");
    conn = free_.back();
    free_.pop_back();
  }
  // The connection goes back to the pool however `fn` ends: an exception of another kind (a bug,
  // for the barrier to answer) must not leak a reader and, one by one, block every later read.
  struct GiveBack {
    Database& db;
    SQLite::Database* conn;
    ~GiveBack() {
      {
        std::lock_guard lock(db.mu_);
        db.free_.push_back(conn);
      }
      db.free_cv_.notify_one();
    }
  } give_back{*this, conn};
  if (core::fault_armed("store_read")) return store_error("the read failed", "injected by a test");
  try {
    fn(*conn);
  } catch (const SQLite::Exception& e) {
    return store_error("the read failed", e.what());
  }
  return core::Status::ok();
}

core::Status Database::write(std::function<core::Status(Tx&)> fn) {
  return writer_->run([fn = std::move(fn)](SQLite::Database& c) {
    Tx tx(c);
    return fn(tx);
  });
}

core::Status Database::view(const std::function<core::Status(Tx&)>& fn) {
  core::Status inner;
  auto outer = read([&](SQLite::Database& c) {
    Tx tx(c);
    inner = fn(tx);
  });
  return outer.is_ok() ? inner : outer;
}

core::Status Database::check_ready() {
  auto version = core::Result<int>(0);
  auto s = read([&](SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    q.executeStep();
    version = q.getColumn(0).getInt();
  });
  if (!s) return s;
  if (*version != latest_schema_version()) return core::Status::error("not_ready", "schema is not at head");
  // An empty write job still takes the write lock and commits: proves the file is writable.
  return writer_->run([](SQLite::Database&) { return core::Status::ok(); });
}

void Database::close() {
  std::unique_lock lock(mu_);
  free_cv_.wait(lock, [&] { return free_.size() == readers_.size(); });
  free_.clear();
  readers_.clear();
  free_cv_.notify_all();
  lock.unlock();
  // The writer closes last: the last connection to close checkpoints the WAL into the main file.
  if (writer_) writer_->close();
}

}  // namespace airlock::store
