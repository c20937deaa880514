// The forwarder's cursor file and reconnect delays (ASVS V16.4.3); delivery itself runs against a
// real TLS receiver in tests/integration/syslog_test.cpp.
#include "audit/syslog_forwarder.h"

#include <sys/stat.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>

#include "support/temp_dir.h"

using namespace airlock::audit;
using namespace std::chrono_literals;

TEST_CASE("reconnect delays double from one second and stay at thirty", "[audit][syslog]") {
  Backoff b;
  for (auto want : {1s, 2s, 4s, 8s, 16s, 30s, 30s}) CHECK(b.next() == want);
  b.reset();
  CHECK(b.next() == 1s);
}

TEST_CASE("the cursor file round-trips, is 0600 and is absent before the first start", "[audit][syslog][V16.4.3]") {
  airlock::testing::TempDir dir;
  auto path = dir / "syslog.cursor";
  auto none = read_cursor(path);
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  REQUIRE(write_cursor(path, 41));
  REQUIRE(write_cursor(path, 9'000'000'000));
  auto got = read_cursor(path);
  REQUIRE(got);
  CHECK(got->value() == 9'000'000'000);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(::stat((path + ".tmp").c_str(), &st) != 0);
}

TEST_CASE("a damaged cursor file is refused, never guessed", "[audit][syslog]") {
  airlock::testing::TempDir dir;
  auto path = dir / "syslog.cursor";
  for (const char* bad : {"", "12", "12x\n", "-1\n", "\n", "99999999999999999999\n"}) {
    INFO(bad);
    std::ofstream(path, std::ios::trunc) << bad;
    auto r = read_cursor(path);
    REQUIRE_FALSE(r);
    CHECK(r.status().code() == "syslog_cursor");
  }
}
