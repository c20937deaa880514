// POST /csp-report: where browsers report Content-Security-Policy violations of our pages. Public
// and cross-origin by nature (the browser sends it, not a page), so it changes nothing but a log
// line: size-capped, rate-limited per client, URLs cut to their path so tokens in query strings
// never reach the log.
#include <nlohmann/json.hpp>

#include "console/console.h"
#include "http/errors.h"

namespace airlock::console {
namespace {

constexpr std::size_t kMaxReport = 8 * 1024;

std::string path_only(const nlohmann::json& v) {
  if (!v.is_string()) return {};
  auto s = v.get<std::string>();
  auto cut = s.find_first_of("?#");
  return s.substr(0, std::min<std::size_t>(cut, 200));
}

}  // namespace

http::Response csp_report(Deps& d, core::Logger& log, http::Request& req) {
  if (req.body.size() > kMaxReport) return http::error_response(413, "body_too_large", "Report too large.", req.request_id);
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  // application/csp-report wraps the report in "csp-report"; the Reporting API sends a list.
  const nlohmann::json* r = nullptr;
  if (j.is_object() && j.contains("csp-report") && j["csp-report"].is_object()) r = &j["csp-report"];
  else if (j.is_array() && !j.empty() && j[0].is_object() && j[0].contains("body")) r = &j[0]["body"];
  if (!r) return http::error_response(400, "bad_report", "Not a CSP report.", req.request_id);
  auto str = [&](const char* k) { return r->contains(k) && (*r)[k].is_string() ? (*r)[k].get<std::string>().substr(0, 100) : std::string(); };
  log.warn("csp violation", {{"request_id", req.request_id},
                             {"client_ip", req.client_ip},
                             {"document", path_only(r->value("document-uri", nlohmann::json(r->value("documentURL", "")))) },
                             {"blocked", path_only(r->value("blocked-uri", nlohmann::json(r->value("blockedURL", ""))))},
                             {"directive", str("violated-directive").empty() ? str("effectiveDirective") : str("violated-directive")}});
  http::Response resp;
  resp.status = 204;
  (void)d;
  return resp;
}

}  // namespace airlock::console
