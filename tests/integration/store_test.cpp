// The encrypted store as a user meets it: files on disk, keys, restarts, crashes.
#include <SQLiteCpp/Statement.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "store/database.h"
#include "support/harness.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

std::string first_bytes(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

std::string instance_id_of(Airlock& a) {
  auto l = a.wait_for_log([](const json& j) { return j.value("msg", "") == "listening"; }, 0s);
  REQUIRE(l);
  return (*l)["instance_id"].get<std::string>();
}

}  // namespace

TEST_CASE("the database on disk is not plain SQLite and keys are generated 0600 beside it",
          "[integration][store][V14.2.4]") {
  TempDir dir;
  std::string data = dir / "data";
  {
    auto a = Airlock::start(data);
    CHECK(a->all_output().find("generated new keys in the data dir") != std::string::npos);
  }
  auto head = first_bytes(data + "/airlock.db", 16);
  REQUIRE(head.size() == 16);
  CHECK(head.rfind("SQLite format 3", 0) != 0);
  auto modes = run_program({"/usr/bin/stat", "-c", "%a", data, data + "/airlock.db", data + "/db.key", data + "/master.key"});
  CHECK(modes.out == "700\n600\n600\n600\n");
  CHECK(read_text_file(data + "/db.key").size() == 65);
}

TEST_CASE("a restart with the right key keeps the data; a wrong key fails clearly and changes nothing",
          "[integration][store]") {
  TempDir dir;
  std::string data = dir / "data";
  std::string id;
  {
    auto a = Airlock::start(data);
    id = instance_id_of(*a);
    a->send_signal(SIGTERM);
    REQUIRE(a->wait_exit() == 0);
  }
  auto before = sha256_file_hex(data + "/airlock.db");
  auto wrong = Airlock::start_expect_exit(data, {{"AIRLOCK_DB_KEY", std::string(64, 'f')}});
  INFO(wrong.err);
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("database key does not match this database") != std::string::npos);
  auto wrong_pass = Airlock::start_expect_exit(data, {{"AIRLOCK_DB_KEY", "not the passphrase"}});
  CHECK(wrong_pass.exit_code == 1);
  CHECK(sha256_file_hex(data + "/airlock.db") == before);

  auto again = Airlock::start(data);
  CHECK(instance_id_of(*again) == id);
}

TEST_CASE("a different master key is refused before it can break encrypted fields", "[integration][store]") {
  TempDir dir;
  std::string data = dir / "data";
  { auto a = Airlock::start(data); }
  auto r = Airlock::start_expect_exit(data, {{"AIRLOCK_MASTER_KEY", std::string(64, '9')}});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("master key does not match this database") != std::string::npos);
  auto again = Airlock::start(data);  // the generated master.key in the data dir still fits
  CHECK(again->port() > 0);
}

TEST_CASE("keys given in the environment are used and never written to the data dir", "[integration][store]") {
  TempDir dir;
  std::string data = dir / "data";
  Env env{{"AIRLOCK_DB_KEY", "a long passphrase for the database"},
          {"AIRLOCK_MASTER_KEY", std::string(64, '1')}};
  std::string id;
  {
    auto a = Airlock::start(data, env);
    id = instance_id_of(*a);
  }
  CHECK(::access((data + "/db.key").c_str(), F_OK) != 0);
  CHECK(::access((data + "/master.key").c_str(), F_OK) != 0);
  // Without the key the existing database is refused instead of getting a fresh key.
  auto none = Airlock::start_expect_exit(data);
  CHECK(none.exit_code == 1);
  CHECK(none.err.find("refusing to create a new key") != std::string::npos);
  auto a = Airlock::start(data, env);
  CHECK(instance_id_of(*a) == id);
}

TEST_CASE("key file and credentials directory are looked up in the documented order", "[integration][store]") {
  TempDir dir;
  std::string data = dir / "data";
  std::string creds = dir / "creds";
  ::mkdir(creds.c_str(), 0700);
  std::ofstream(creds + "/db-key") << std::string(64, 'a') << "\n";
  std::ofstream(creds + "/master-key") << std::string(64, 'b') << "\n";
  std::string id;
  {
    // The credential wins over the environment value, as systemd's LoadCredential= should.
    auto a = Airlock::start(data, {{"CREDENTIALS_DIRECTORY", creds}, {"AIRLOCK_DB_KEY", std::string(64, 'c')}});
    id = instance_id_of(*a);
  }
  std::ofstream(dir / "k") << std::string(64, 'a') << "\n";
  ::chmod((dir / "k").c_str(), 0600);
  auto a = Airlock::start(data, {{"AIRLOCK_DB_KEY_FILE", dir / "k"}, {"CREDENTIALS_DIRECTORY", creds}});
  CHECK(instance_id_of(*a) == id);
}

TEST_CASE("files readable by others stop the start with the fix in the message", "[integration][store][V13.3.1]") {
  TempDir dir;
  std::string data = dir / "data";
  { auto a = Airlock::start(data); }
  ::chmod((data + "/db.key").c_str(), 0644);
  auto r = Airlock::start_expect_exit(data);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("chmod 600") != std::string::npos);
  ::chmod((data + "/db.key").c_str(), 0600);
  ::chmod(data.c_str(), 0755);
  auto r2 = Airlock::start_expect_exit(data);
  CHECK(r2.exit_code == 1);
  CHECK(r2.err.find("chmod 700") != std::string::npos);
}

TEST_CASE("kill -9 mid-burst loses no acknowledged write and leaves an intact database",
          "[integration][store][V14.2.1]") {
  TempDir dir;
  std::string db = dir / "crash.db";
  std::string log = dir / "writer.log";
  const std::string key(64, '7');
  pid_t pid = spawn_background({test_bin("store_crash_writer"), db, key}, {}, log);
  // Let it acknowledge a good number of writes, then kill it without warning.
  std::size_t acks = 0;
  for (int i = 0; i < 600 && acks < 2000; ++i) {
    std::this_thread::sleep_for(50ms);
    auto text = read_text_file(log);
    acks = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  ::kill(pid, SIGKILL);
  int st = 0;
  ::waitpid(pid, &st, 0);
  REQUIRE(WIFSIGNALED(st));
  std::set<std::string> acked;
  std::istringstream lines(read_text_file(log));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("ack ", 0) == 0) acked.insert("crash-" + line.substr(4));
  }
  INFO(read_text_file(log).substr(0, 500));
  REQUIRE(acked.size() >= 1000);

  std::string k = "x'" + key + "'";
  auto opened = airlock::store::Database::open(
      db, airlock::core::SecretBytes(reinterpret_cast<const std::uint8_t*>(k.data()), k.size()), {});
  REQUIRE(opened);
  std::string integrity;
  int cipher_problems = -1;
  std::set<std::string> present;
  REQUIRE((*opened)->read([&](SQLite::Database& c) {
    SQLite::Statement ic(c, "PRAGMA integrity_check");
    ic.executeStep();
    integrity = ic.getColumn(0).getString();
    SQLite::Statement cic(c, "PRAGMA cipher_integrity_check");
    cipher_problems = 0;
    while (cic.executeStep()) ++cipher_problems;
    SQLite::Statement all(c, "SELECT key FROM settings WHERE key LIKE 'crash-%'");
    while (all.executeStep()) present.insert(all.getColumn(0).getString());
  }));
  CHECK(integrity == "ok");
  CHECK(cipher_problems == 0);
  std::size_t missing = 0;
  for (const auto& k2 : acked) missing += present.count(k2) ? 0 : 1;
  CHECK(missing == 0);
  CHECK(present.size() >= acked.size());
}
