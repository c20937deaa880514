#include "store/database.h"

#include <SQLiteCpp/Statement.h>
#include <sys/stat.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <iterator>

#include "core/barrier.h"
#include "crypto/hash.h"
#include "store/migrations.h"
#include "support/temp_dir.h"

using namespace airlock;

namespace {
core::SecretBytes key_of(const std::string& s) {
  return core::SecretBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
const std::string kRawKey = "x'" + std::string(64, 'a') + "'";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int count_settings(store::Database& db) {
  int n = -1;
  REQUIRE(db.read([&](SQLite::Database& c) {
    SQLite::Statement q(c, "SELECT count(*) FROM settings");
    q.executeStep();
    n = q.getColumn(0).getInt();
  }));
  return n;
}

core::Status put_setting(store::Database& db, const std::string& k) {
  return db.writer().run([k](SQLite::Database& c) {
    SQLite::Statement ins(c, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'v', 'now')");
    ins.bind(1, k);
    ins.exec();
    return core::Status::ok();
  });
}
}  // namespace

TEST_CASE("a new database is encrypted on disk and private to its owner", "[store][V14.2.4]") {
  testing::TempDir dir;
  auto path = dir / "a.db";
  {
    auto db = store::Database::open(path, key_of(kRawKey), {});
    REQUIRE(db);
    REQUIRE(put_setting(**db, "marker-text-visible-if-plaintext"));
    (*db)->close();
  }
  auto bytes = slurp(path);
  REQUIRE(bytes.size() > 100);
  CHECK(bytes.rfind("SQLite format 3", 0) != 0);
  CHECK(bytes.find("marker-text-visible-if-plaintext") == std::string::npos);
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);
}

TEST_CASE("a wrong key is refused with a clear message and the file is left untouched", "[store]") {
  testing::TempDir dir;
  auto path = dir / "a.db";
  {
    auto db = store::Database::open(path, key_of(kRawKey), {});
    REQUIRE(db);
    REQUIRE(put_setting(**db, "k1"));
  }
  auto before = crypto::sha256(slurp(path));
  for (const std::string& wrong : {std::string("x'") + std::string(64, 'b') + "'", std::string("a passphrase")}) {
    auto db = store::Database::open(path, key_of(wrong), {});
    REQUIRE_FALSE(db);
    CHECK(db.status().code() == "wrong_db_key");
    CHECK(db.status().message() == "database key does not match this database");
  }
  CHECK(crypto::sha256(slurp(path)) == before);
  auto again = store::Database::open(path, key_of(kRawKey), {});
  REQUIRE(again);
  CHECK(count_settings(**again) == 1);
}

TEST_CASE("migrations are recorded and a newer schema is refused", "[store]") {
  testing::TempDir dir;
  auto path = dir / "a.db";
  {
    auto db = store::Database::open(path, key_of(kRawKey), {});
    REQUIRE(db);
    CHECK((*db)->check_ready());
    REQUIRE((*db)->writer().run([](SQLite::Database& c) {
      c.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'from the future', 'x')");
      return core::Status::ok();
    }));
  }
  auto db = store::Database::open(path, key_of(kRawKey), {});
  REQUIRE_FALSE(db);
  CHECK(db.status().code() == "schema_too_new");
  CHECK(db.status().message().find("newer") != std::string::npos);
}

TEST_CASE("the writer batches jobs and one failing job does not undo the others", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open(dir / "a.db", key_of(kRawKey), {});
  REQUIRE(db);
  std::vector<std::future<core::Status>> futs;
  for (int i = 0; i < 200; ++i) {
    futs.push_back((*db)->writer().submit([i](SQLite::Database& c) {
      // Job 50 violates the primary key by reusing job 49's key.
      SQLite::Statement ins(c, "INSERT INTO settings (key, value, updated_at) VALUES (?, 'v', 'now')");
      ins.bind(1, "k" + std::to_string(i == 50 ? 49 : i));
      ins.exec();
      return core::Status::ok();
    }));
  }
  int failed = 0;
  for (auto& f : futs) {
    auto s = f.get();
    if (!s) {
      ++failed;
      CHECK(s.code() == "store_error");
    }
  }
  CHECK(failed == 1);
  CHECK(count_settings(**db) == 199);
  auto st = (*db)->writer().stats();
  CHECK(st.jobs == 200);
  CHECK(st.transactions < 200);  // batched
}

TEST_CASE("after close, writes are refused instead of lost silently", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open(dir / "a.db", key_of(kRawKey), {});
  REQUIRE(db);
  (*db)->close();
  auto s = (*db)->writer().run([](SQLite::Database&) { return core::Status::ok(); });
  CHECK(s.code() == "store_closed");
}

TEST_CASE("a job that returns an error is rolled back alone", "[store]") {
  testing::TempDir dir;
  auto db = store::Database::open(dir / "a.db", key_of(kRawKey), {});
  REQUIRE(db);
  auto kept = (*db)->writer().submit([](SQLite::Database& c) {
    c.exec("INSERT INTO settings (key, value, updated_at) VALUES ('kept', 'v', 'now')");
    return core::Status::ok();
  });
  auto refused = (*db)->writer().submit([](SQLite::Database& c) {
    c.exec("INSERT INTO settings (key, value, updated_at) VALUES ('refused', 'v', 'now')");
    return core::Status::error("conflict", "domain rule said no");
  });
  CHECK(kept.get());
  CHECK(refused.get().code() == "conflict");
  CHECK(count_settings(**db) == 1);
}

TEST_CASE("a job that throws fails alone; the writer thread lives on", "[store][V16.5.3]") {
  testing::TempDir dir;
  auto db = store::Database::open(dir / "a.db", key_of(kRawKey), {});
  REQUIRE(db);
  auto before = core::internal_errors_total();
  auto kept = (*db)->writer().submit([](SQLite::Database& c) {
    c.exec("INSERT INTO settings (key, value, updated_at) VALUES ('kept', 'v', 'now')");
    return core::Status::ok();
  });
  auto thrown = (*db)->writer().submit([](SQLite::Database& c) -> core::Status {
    c.exec("INSERT INTO settings (key, value, updated_at) VALUES ('thrown', 'v', 'now')");
    nlohmann::json j = "text";
    (void)j.get<int>();  // a type_error, as a wrong-typed JSON field once threw inside a job
    return core::Status::ok();
  });
  CHECK(kept.get());
  CHECK(thrown.get().code() == "internal_error");
  CHECK(core::internal_errors_total() == before + 1);
  CHECK(count_settings(**db) == 1);  // the thrower's row went with it
  CHECK((*db)->writer().run([](SQLite::Database& c) {
    c.exec("INSERT INTO settings (key, value, updated_at) VALUES ('after', 'v', 'now')");
    return core::Status::ok();
  }));
  CHECK(count_settings(**db) == 2);
}

TEST_CASE("a read that throws gives its connection back; reads go on", "[store][V16.5.3]") {
  testing::TempDir dir;
  auto db = store::Database::open(dir / "a.db", key_of(kRawKey), {.readers = 2});
  REQUIRE(db);
  // More throws than the pool has connections: before, each one kept a reader, and the third
  // read after two of them blocked for good.
  for (int i = 0; i < 5; ++i)
    CHECK_THROWS_AS((*db)->read([](SQLite::Database&) { throw std::runtime_error("a bug"); }), std::runtime_error);
  CHECK(count_settings(**db) == 0);
  auto fetched = (*db)->fetch([](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT count(*) FROM settings");
    q.executeStep();
    return q.getColumn(0).getInt();
  });
  REQUIRE(fetched);
  CHECK(*fetched == 0);
  // A failed SQL read is an error for the caller, never a value.
  auto failed = (*db)->fetch([](store::Tx& tx) {
    SQLite::Statement q(tx.db(), "SELECT nothing FROM no_such_table");
    return q.executeStep();
  });
  CHECK_FALSE(failed);
  CHECK(failed.status().code() == "store_error");
}
