// POST /csp-report: where browsers report Content-Security-Policy violations of our pages. Public
// and cross-origin by nature (the browser sends it, not a page), so it changes nothing but a log
// line: size-capped, rate-limited per client, URLs cut to their path so tokens in query strings
// never reach the log.
#include <nlohmann/json.hpp>

#include "console/console.h"
#include "http/errors.h"
#include "http/json_read.h"

namespace airlock::console {
namespace {

constexpr std::size_t kMaxReport = 8 * 1024;

std::string path_only(const std::string& s) {
  auto cut = s.find_first_of("?#");
  return s.substr(0, std::min<std::size_t>(cut, 200));
}

}  // namespace

http::Response csp_report(Deps& d, core::Logger& log, http::Request& req) {
  if (req.body.size() > kMaxReport) return http::error_response(413, "body_too_large", "Report too large.", req.request_id);
  // Unauthenticated input: bounded like every other JSON from outside (depth, members, UTF-8).
  std::string perr;
  auto j = http::parse_json_strict(req.body, &perr);
  if (!j) return http::error_response(400, perr, http::json_error_message(perr), req.request_id);
  // application/csp-report wraps the report in "csp-report"; the Reporting API sends a list.
  const nlohmann::json* r = nullptr;
  if (j->is_object()) {
    auto it = j->find("csp-report");
    if (it != j->end() && it->is_object()) r = &*it;
  } else if (j->is_array() && !j->empty() && (*j)[0].is_object()) {
    auto it = (*j)[0].find("body");
    if (it != (*j)[0].end() && it->is_object()) r = &*it;
  }
  if (!r) return http::error_response(400, "bad_report", "Not a CSP report.", req.request_id);
  auto str = [&](const char* k) -> std::string {
    auto it = r->find(k);
    return it != r->end() && it->is_string() ? it->get_ref<const std::string&>().substr(0, 100) : std::string();
  };
  auto either = [&](const char* a, const char* b) {
    auto v = str(a);
    return v.empty() ? str(b) : v;
  };
  log.warn("csp violation", {{"request_id", req.request_id},
                             {"client_ip", req.client_ip},
                             {"document", path_only(either("document-uri", "documentURL"))},
                             {"blocked", path_only(either("blocked-uri", "blockedURL"))},
                             {"directive", either("violated-directive", "effectiveDirective")}});
  http::Response resp;
  resp.status = 204;
  (void)d;
  return resp;
}

}  // namespace airlock::console
