#pragma once
// JSON-lines logger on stderr. One line per event, written with one write() so lines from
// concurrent threads never interleave. Callers pass fields explicitly: there is no "log the request"
// helper that could carry headers or bodies, which is how secrets stay out of logs.
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "core/config.h"

namespace airlock::core {

struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, bool, double> value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  LogField(std::string_view k, I v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

class Logger {
 public:
  Logger(const Clock& clock, LogLevel min_level, int fd = 2) : clock_(clock), min_(min_level), fd_(fd) {}
  bool enabled(LogLevel level) const { return level >= min_; }
  void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void debug(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::kDebug, msg, f); }
  void info(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::kInfo, msg, f); }
  void warn(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::kWarn, msg, f); }
  void error(std::string_view msg, std::initializer_list<LogField> f = {}) { log(LogLevel::kError, msg, f); }

 private:
  const Clock& clock_;
  LogLevel min_;
  int fd_;
  std::mutex mu_;
};

// Appends `s` to `out` as a JSON string body (no quotes): escapes quotes, backslashes and every
// control character, so a client-supplied value can never break a log line in two.
void json_escape_into(std::string& out, std::string_view s);

// RFC 3339 UTC with milliseconds, e.g. 2026-11-23T19:35:46.123Z.
std::string format_time_utc(Clock::SystemTime t);
// For people: "2026-11-23 19:35 UTC".
std::string format_time_display(Clock::SystemTime t);

}  // namespace airlock::core
