#include "core/files.h"

#include <sys/stat.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>

#include "support/temp_dir.h"

using namespace airlock;

TEST_CASE("small files: regular files only, up to the cap, never an exception", "[core][files]") {
  testing::TempDir dir;
  std::ofstream(dir / "ok") << "hello";
  std::ofstream(dir / "big") << std::string(5000, 'x');
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  std::string why;
  CHECK(core::read_small_file(dir / "ok", 100) == "hello");
  CHECK(core::read_small_file(dir / "ok", 5) == "hello");
  CHECK_FALSE(core::read_small_file(dir / "ok", 4, &why));
  CHECK(why == "is too large");
  CHECK_FALSE(core::read_small_file(dir / "big", 4096));
  CHECK_FALSE(core::read_small_file(dir.path(), 4096, &why));  // a directory
  CHECK(why == "is not a regular file");
  CHECK_FALSE(core::read_small_file(dir / "fifo", 4096, &why));  // opens without waiting, then refused
  CHECK(why == "is not a regular file");
  CHECK_FALSE(core::read_small_file("/dev/zero", 4096));
  CHECK_FALSE(core::read_small_file(dir / "missing", 4096, &why));
  CHECK(why == "cannot be opened");
}
