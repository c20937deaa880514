#include "store/key_material.h"

#include <sys/stat.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>

#include "support/temp_dir.h"

using namespace airlock;

namespace {
core::Config config_in(const std::string& dir) {
  core::Config c;
  c.data_dir = dir;
  return c;
}
int mode_of(const std::string& p) {
  struct stat st{};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("first start generates both keys as private files; later starts reuse them", "[store][keys]") {
  testing::TempDir dir;
  core::SeededRandom rnd(1);
  auto first = store::load_key_material(config_in(dir.path()), false, rnd);
  REQUIRE(first);
  CHECK(first->db_key_generated);
  CHECK(first->master_key_generated);
  CHECK(first->db_key_raw);
  CHECK(first->master_key.size() == 32);
  CHECK(mode_of(dir / "db.key") == 0600);
  CHECK(mode_of(dir / "master.key") == 0600);
  auto second = store::load_key_material(config_in(dir.path()), true, rnd);
  REQUIRE(second);
  CHECK_FALSE(second->db_key_generated);
  CHECK(second->db_key.bytes() == first->db_key.bytes());
  CHECK(second->master_key.bytes() == first->master_key.bytes());
}

TEST_CASE("an existing database without its key is an error, never a new key", "[store][keys]") {
  testing::TempDir dir;
  core::SeededRandom rnd(1);
  auto r = store::load_key_material(config_in(dir.path()), true, rnd);
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("refusing to create a new key") != std::string::npos);
}

TEST_CASE("the key file setting wins over the environment value", "[store][keys]") {
  testing::TempDir dir;
  core::SeededRandom rnd(1);
  auto c = config_in(dir.path());
  std::ofstream(dir / "k") << std::string(64, 'c') << "\n";
  ::chmod((dir / "k").c_str(), 0600);
  c.db_key_file = dir / "k";
  c.db_key = "ignored passphrase";
  c.master_key = std::string(64, 'd');
  auto r = store::load_key_material(c, false, rnd);
  REQUIRE(r);
  CHECK(r->db_key_source == "AIRLOCK_DB_KEY_FILE");
  std::string k(r->db_key.bytes().begin(), r->db_key.bytes().end());
  CHECK(k == "x'" + std::string(64, 'c') + "'");
  CHECK(r->master_key_source == "AIRLOCK_MASTER_KEY");
  CHECK_FALSE(r->master_key_generated);
}

TEST_CASE("a passphrase DB key is kept for the KDF; a non-hex master key is refused", "[store][keys]") {
  testing::TempDir dir;
  core::SeededRandom rnd(1);
  auto c = config_in(dir.path());
  c.db_key = "correct horse battery staple";
  c.master_key = "too short";
  auto r = store::load_key_material(c, false, rnd);
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("64 hex") != std::string::npos);
  c.master_key = std::string(64, 'e');
  auto ok = store::load_key_material(c, false, rnd);
  REQUIRE(ok);
  CHECK_FALSE(ok->db_key_raw);
}

TEST_CASE("key files and data dirs readable by others are refused", "[store][keys][V13.3.1]") {
  testing::TempDir dir;
  core::SeededRandom rnd(1);
  auto c = config_in(dir.path());
  std::ofstream(dir / "k") << std::string(64, 'c');
  ::chmod((dir / "k").c_str(), 0644);
  c.db_key_file = dir / "k";
  auto r = store::load_key_material(c, false, rnd);
  REQUIRE_FALSE(r);
  CHECK(r.status().message().find("chmod 600") != std::string::npos);

  std::string open_dir = dir / "open";
  ::mkdir(open_dir.c_str(), 0755);
  CHECK_FALSE(store::prepare_data_dir(open_dir));
  std::string fresh = dir / "fresh";
  CHECK(store::prepare_data_dir(fresh));
  CHECK(mode_of(fresh) == 0700);
}
