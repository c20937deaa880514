// Linked into `airlock_faults` only (never the shipped binary): arms core::fault_point for the
// integration tests. A test writes the name of a fault point (worker, async, posted, timer,
// writer, event_loop, store_read) to $AIRLOCK_TEST_FAULT_FILE; the next time the server reaches
// that point it fails once and the file is emptied, so the request after it runs normally.
// "store_read 2" lets two reads pass and fails the third.
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "core/barrier.h"

namespace {

bool armed(std::string_view where) {
  static std::mutex mu;
  static const char* path = std::getenv("AIRLOCK_TEST_FAULT_FILE");
  std::lock_guard lock(mu);
  std::ifstream in(path);
  std::string want;
  if (!std::getline(in, want)) return false;
  int skip = 0;
  if (auto space = want.find(' '); space != std::string::npos) {
    skip = std::atoi(want.c_str() + space + 1);
    want.resize(space);
  }
  if (want != where) return false;
  in.close();
  if (skip > 0) {
    std::ofstream(path, std::ios::trunc) << want << ' ' << skip - 1 << '\n';
    return false;
  }
  std::ofstream(path, std::ios::trunc).flush();
  return true;
}

struct Install {
  Install() {
    if (std::getenv("AIRLOCK_TEST_FAULT_FILE")) airlock::core::set_fault_hook(&armed);
  }
} install;

}  // namespace
