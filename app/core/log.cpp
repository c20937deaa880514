#include "core/log.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <ctime>

namespace airlock::core {

void json_escape_into(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (ch < 0x20 || ch == 0x7f) {
          out += "\\u00";
          out += kHex[ch >> 4];
          out += kHex[ch & 0xf];
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
}

std::string format_time_utc(Clock::SystemTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string format_time_display(Clock::SystemTime t) {
  auto s = format_time_utc(t);
  return s.substr(0, 10) + " " + s.substr(11, 5) + " UTC";
}

void Logger::log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!enabled(level)) return;
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  std::string line;
  line.reserve(256);
  line += "{\"time\":\"";
  line += format_time_utc(clock_.system_now());
  line += "\",\"level\":\"";
  line += kNames[static_cast<int>(level)];
  line += "\",\"msg\":\"";
  json_escape_into(line, msg);
  line += '"';
  for (const auto& f : fields) {
    line += ",\"";
    json_escape_into(line, f.key);
    line += "\":";
    if (auto s = std::get_if<std::string_view>(&f.value)) {
      line += '"';
      json_escape_into(line, *s);
      line += '"';
    } else if (auto i = std::get_if<std::int64_t>(&f.value)) {
      line += std::to_string(*i);
    } else if (auto b = std::get_if<bool>(&f.value)) {
      line += *b ? "true" : "false";
    } else {
      double d = std::get<double>(f.value);
      line += std::isfinite(d) ? std::to_string(d) : "null";
    }
  }
  line += "}\n";
  std::lock_guard lock(mu_);
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // stderr gone: nothing sensible left to do with a log line
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace airlock::core
