// Linked into `airlock_faults` only (never the shipped binary): arms core::fault_point for the
// integration tests. A test writes the name of a fault point (worker, async, posted, timer,
// writer, event_loop) to $AIRLOCK_TEST_FAULT_FILE; the next time the server reaches that point it
// throws once and the file is emptied, so the request after it runs normally.
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
  if (!std::getline(in, want) || want != where) return false;
  std::ofstream(path, std::ios::trunc).flush();
  return true;
}

struct Install {
  Install() {
    if (std::getenv("AIRLOCK_TEST_FAULT_FILE")) airlock::core::set_fault_hook(&armed);
  }
} install;

}  // namespace
