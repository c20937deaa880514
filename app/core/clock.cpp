#include "core/clock.h"

namespace airlock::core {
namespace {

std::atomic<const Clock*> g_installed{nullptr};

}  // namespace

const Clock& process_clock() {
  static const RealClock real;
  const Clock* c = g_installed.load(std::memory_order_acquire);
  return c ? *c : real;
}

void set_process_clock(const Clock* clock) { g_installed.store(clock, std::memory_order_release); }

}  // namespace airlock::core
