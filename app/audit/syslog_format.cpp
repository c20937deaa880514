#include "audit/syslog_format.h"

#include <nlohmann/json.hpp>

namespace airlock::audit {
namespace {

constexpr int kFacilityLogAudit = 13;  // RFC 5424 §6.2.1, table 1
constexpr int kSeverityWarning = 4;
constexpr int kSeverityNotice = 5;
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// FULL-DATE "T" FULL-TIME with an optional 1-6 digit TIME-SECFRAC and "Z" (RFC 5424 §6.2.3);
// the store always writes this shape, so anything else is not passed on as a timestamp.
bool is_syslog_timestamp(std::string_view t) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (t.size() < kShape.size() + 1 || t.back() != 'Z') return false;
  for (std::size_t i = 0; i < kShape.size(); ++i)
    if (kShape[i] == 'd' ? !is_digit(t[i]) : t[i] != kShape[i]) return false;
  auto frac = t.substr(kShape.size(), t.size() - kShape.size() - 1);
  if (frac.empty()) return true;
  if (frac.front() != '.' || frac.size() < 2 || frac.size() > 7) return false;
  for (char c : frac.substr(1))
    if (!is_digit(c)) return false;
  return true;
}

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629 §4: no overlongs, no surrogates,
// nothing past U+10FFFF), or 0; the code point goes to *cp.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t* cp) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return *cp = c, 1;
  std::size_t n;
  char32_t v, min;
  if ((c & 0xE0) == 0xC0) n = 2, v = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0) n = 3, v = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0) n = 4, v = c & 0x07, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// PARAM-VALUE (RFC 5424 §6.3.3): '"', '\' and ']' MUST be escaped; other octets are taken
// literally, so control characters (C0, DEL, C1) are replaced rather than escaped.
void append_param_value(std::string& out, std::string_view v) {
  for (std::size_t i = 0; i < v.size();) {
    char32_t cp = 0;
    auto n = utf8_sequence(v, i, &cp);
    if (n == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      out += kReplacement;
      i += n == 0 ? 1 : n;
      continue;
    }
    if (cp == '"' || cp == '\\' || cp == ']') out += '\\';
    out.append(v.substr(i, n));
    i += n;
  }
}

void append_param(std::string& out, const char* name, std::string_view value) {
  if (value.empty()) return;
  out += ' ';
  out += name;
  out += "=\"";
  append_param_value(out, value);
  out += '"';
}

std::string ascii_json(const std::string& details) {
  using Json = nlohmann::ordered_json;  // keeps the stored key order
  auto j = Json::parse(details, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) j = Json(details);  // not JSON after all: carried as one JSON string
  return j.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace);
}

}  // namespace

std::string syslog_header_field(std::string_view s, std::size_t max) {
  if (s.empty()) return "-";
  std::string out(s.substr(0, max));
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) c = '_';
  }
  return out;
}

std::string to_syslog(const Row& e, const SyslogOrigin& origin) {
  int severity = e.outcome == "success" ? kSeverityNotice : kSeverityWarning;
  std::string m = "<" + std::to_string(kFacilityLogAudit * 8 + severity) + ">1 ";
  m += is_syslog_timestamp(e.at) ? e.at : "-";
  m += ' ' + syslog_header_field(origin.hostname, 255);
  m += " airlock ";
  m += syslog_header_field(origin.procid, 128);
  m += ' ' + syslog_header_field(e.action, 32);
  m += " [";
  m += kSyslogSdId;
  append_param(m, "seq", std::to_string(e.id));
  append_param(m, "outcome", e.outcome);
  append_param(m, "actor", e.actor);
  append_param(m, "user_id", e.actor_user_id ? std::to_string(*e.actor_user_id) : "");
  append_param(m, "target", e.target);
  append_param(m, "ip", e.ip);
  append_param(m, "request_id", e.request_id);
  append_param(m, "user_agent", e.user_agent);
  m += ']';
  if (!e.details_json.empty()) m += ' ' + ascii_json(e.details_json);
  return m;
}

std::string octet_frame(std::string_view syslog_msg) {
  std::string out = std::to_string(syslog_msg.size());
  out += ' ';
  out.append(syslog_msg);
  return out;
}

}  // namespace airlock::audit
