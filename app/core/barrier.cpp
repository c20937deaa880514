#include "core/barrier.h"

#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace airlock::core {
namespace {

std::atomic<std::uint64_t> g_errors{0};
std::atomic<Logger*> g_logger{nullptr};
std::atomic<FaultHook> g_fault{nullptr};

}  // namespace

void record_internal_error(Logger& log, std::string_view where, std::string_view request_id, const std::exception* e) {
  g_errors.fetch_add(1, std::memory_order_relaxed);
  try {
    log.error("internal error caught", {{"where", where},
                                        {"request_id", request_id},
                                        {"exception", e ? typeid(*e).name() : "unknown"}});
  } catch (...) {
    // Logging itself failed (out of memory): the count above still says it happened.
  }
}

void record_internal_error(std::string_view where, const std::exception* e) {
  if (auto* log = g_logger.load()) return record_internal_error(*log, where, "", e);
  g_errors.fetch_add(1, std::memory_order_relaxed);
  std::string line = "{\"level\":\"error\",\"msg\":\"internal error caught\",\"where\":\"";
  line.append(where).append("\"}\n");
  [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}

void set_barrier_logger(Logger* log) { g_logger.store(log); }

std::uint64_t internal_errors_total() { return g_errors.load(std::memory_order_relaxed); }

void set_fault_hook(FaultHook hook) { g_fault.store(hook); }

bool fault_armed(std::string_view where) {
  auto hook = g_fault.load(std::memory_order_relaxed);
  return hook && hook(where);
}

void fault_point(std::string_view where) {
  if (fault_armed(where)) throw std::runtime_error("injected fault");
}

}  // namespace airlock::core
