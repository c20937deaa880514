#pragma once
// The encrypted store: one SQLCipher file, one writer (WriterQueue) and a few reader connections kept
// open, because opening a connection costs a key derivation for passphrase keys.
//
// open() refuses, without touching the file: a wrong key ("database key does not match this
// database"), a schema newer than this binary, a file others can read, and a SQLite build without
// encryption.
#include <SQLiteCpp/Database.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "store/change_counters.h"
#include "store/tx.h"
#include "store/writer_queue.h"

namespace airlock::store {

struct DatabaseOptions {
  int readers = 4;
  int busy_timeout_ms = 5000;
  WriterQueue::Options writer;
};

class Database {
 public:
  static core::Result<std::unique_ptr<Database>> open(const std::string& path, const core::SecretBytes& key,
                                                      const DatabaseOptions& options);
  ~Database();

  WriterQueue& writer() { return *writer_; }
  // Counters the writers of every process bump per cached table family (store/change_counters.h).
  const ChangeCounters& changes() const { return *changes_; }

  // Runs `fn` on a pooled read connection (blocks while all are busy). SQLite exceptions thrown by
  // `fn` come back as a Status with code "store_error".
  core::Status read(const std::function<void(SQLite::Database&)>& fn);

  // Runs `fn` as one writer job (its own savepoint inside a batched transaction) and waits for the
  // commit. An error Status from `fn` rolls back everything it did.
  core::Status write(std::function<core::Status(Tx&)> fn);
  // Runs `fn` on a read connection; reads see the last committed state.
  core::Status view(const std::function<core::Status(Tx&)>& fn);
  // Runs `fn` on a read connection and returns what it read, or the store's error: a failed read
  // is an error for the caller to answer, never an empty list.
  template <class Fn>
  core::Result<std::invoke_result_t<Fn&, Tx&>> fetch(Fn&& fn) {
    std::optional<std::invoke_result_t<Fn&, Tx&>> out;
    auto s = view([&](Tx& tx) {
      out.emplace(fn(tx));
      return core::Status::ok();
    });
    if (!s) return s;
    return std::move(*out);
  }

  // Readiness: the schema is at head and a write transaction can be taken.
  core::Status check_ready();

  // Drains the writer and closes every connection (checkpointing the WAL).
  void close();


 private:
  Database() = default;
  std::unique_ptr<ChangeCounters> changes_;  // outlives the writer, which bumps it
  std::unique_ptr<WriterQueue> writer_;
  std::mutex mu_;
  std::condition_variable free_cv_;
  std::vector<std::unique_ptr<SQLite::Database>> readers_;
  std::vector<SQLite::Database*> free_;
};

// Low-level: opens and keys one connection, proves the key with a read, applies connection pragmas.
core::Result<std::unique_ptr<SQLite::Database>> open_connection(const std::string& path, const core::SecretBytes& key,
                                                               int busy_timeout_ms, bool create);

}  // namespace airlock::store
