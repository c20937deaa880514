// Linked into `airlock_faults` only (never the shipped binary): arms core::fault_point for the
// integration tests. A test writes the name of a fault point (worker, async, posted, timer,
// writer, event_loop, store_read) to $AIRLOCK_TEST_FAULT_FILE; the next time the server reaches
// that point it fails once and the file is emptied, so the request after it runs normally.
// "store_read 2" lets two reads pass and fails the third.
//
// With $AIRLOCK_TEST_CLOCK_FILE set, the process's system clock (core::process_clock) runs that
// many seconds ahead of the real one: the file holds a whole number, re-read when it changes. A
// test moves the server's time (a rotated key's grace, an expiry) by writing the file, instead of
// sleeping. Steady time (timeouts, rate windows) stays real.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

#include "core/barrier.h"
#include "core/clock.h"

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

class SkewedClock final : public airlock::core::Clock {
 public:
  explicit SkewedClock(const char* path) : path_(path) {}
  SystemTime system_now() const override { return std::chrono::system_clock::now() + std::chrono::seconds(offset()); }
  SteadyTime steady_now() const override { return std::chrono::steady_clock::now(); }

 private:
  long long offset() const {
    struct stat st {};
    std::lock_guard lock(mu_);
    if (::stat(path_, &st) != 0) return offset_;
    if (st.st_mtim.tv_sec != seen_.tv_sec || st.st_mtim.tv_nsec != seen_.tv_nsec || st.st_size != size_) {
      seen_ = st.st_mtim;
      size_ = st.st_size;
      std::ifstream in(path_);
      long long v = 0;
      if (in >> v) offset_ = v;
    }
    return offset_;
  }
  const char* path_;
  mutable std::mutex mu_;
  mutable timespec seen_{};
  mutable off_t size_ = -1;
  mutable long long offset_ = 0;
};

struct Install {
  Install() {
    if (std::getenv("AIRLOCK_TEST_FAULT_FILE")) airlock::core::set_fault_hook(&armed);
    if (const char* path = std::getenv("AIRLOCK_TEST_CLOCK_FILE")) {
      static SkewedClock clock(path);
      airlock::core::set_process_clock(&clock);
    }
  }
} install;

}  // namespace
