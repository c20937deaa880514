#pragma once
// The last net under every event-loop callback, worker job, writer job and timer: an exception
// nobody expected is counted (airlock_internal_errors_total), logged once with where it happened,
// the request id and the exception's type (never what(): it may quote input), and turned into a
// 500 by whoever can still answer. The process and every other connection go on.
//
// Test builds can arm fault points (a test-only program installs the hook; the shipped binary
// never does), so tests can prove each barrier holds on the real server.
#include <cstdint>
#include <exception>
#include <string_view>

#include "core/log.h"

namespace airlock::core {

// Counts and logs one caught exception (`e` null: not a std::exception).
void record_internal_error(Logger& log, std::string_view where, std::string_view request_id, const std::exception* e);
// For threads that have no logger of their own (loops, pools, the writer): the one serve set, or a
// plain line on stderr.
void record_internal_error(std::string_view where, const std::exception* e);
void set_barrier_logger(Logger* log);

std::uint64_t internal_errors_total();

// Runs `f`; an exception from it is recorded and swallowed. Returns false when one was.
template <class F>
bool barrier(std::string_view where, F&& f) noexcept {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    record_internal_error(where, &e);
  } catch (...) {
    record_internal_error(where, nullptr);
  }
  return false;
}

// Throws std::runtime_error when a test build armed `where`; does nothing otherwise.
using FaultHook = bool (*)(std::string_view where);
void set_fault_hook(FaultHook hook);
void fault_point(std::string_view where);
// True when a test build armed `where`, for faults that are not exceptions (a store read that
// fails as SQLite would); always false in the shipped binary.
bool fault_armed(std::string_view where);

}  // namespace airlock::core
