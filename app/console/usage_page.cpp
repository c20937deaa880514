// GET /usage (dashboard with server-rendered SVG charts), GET /usage.csv (download), and
// GET /api/v1/usage (JSON): requests, tokens, errors and latency over time, per key and per model.
// Query: range=24h|7d|30d (default 24h), key_id, model.
#include <cstdio>
#include <ctime>

#include "console/gateway_pages.h"
#include "console/svg_chart.h"
#include "gateway/usage_query.h"
#include "http/errors.h"
#include "http/form.h"
#include "http/json_body.h"

namespace airlock::console {
namespace {

struct Query {
  gateway::UsageFilter filter;
  std::string range = "24h";
  bool ok = true;
};

Query parse(Deps& d, const http::Request& req) {
  Query q;
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(d.gateway.deps().clock.system_now().time_since_epoch()).count();
  auto range = req.query_param("range");
  if (!range.empty()) q.range = range;
  std::int64_t span = 0;
  if (q.range == "24h") span = 24LL * 3600000, q.filter.bucket_ms = 3600000;
  else if (q.range == "7d") span = 7LL * 86400000, q.filter.bucket_ms = 86400000;
  else if (q.range == "30d") span = 30LL * 86400000, q.filter.bucket_ms = 86400000;
  else q.ok = false;
  q.filter.to_ms = now_ms - now_ms % q.filter.bucket_ms + q.filter.bucket_ms;
  q.filter.from_ms = q.filter.to_ms - span;
  if (auto k = req.query_param("key_id"); !k.empty()) {
    if (auto id = core::KeyId::parse(k)) q.filter.key_id = id->value;
    else q.ok = false;
  }
  q.filter.model = req.query_param("model").substr(0, 200);
  if (req.target.find('?') != std::string_view::npos && !req.query()) q.ok = false;
  return q;
}

std::string label(std::int64_t ms, bool hourly) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, hourly ? "%H:00" : "%m-%d", &tm);
  return buf;
}

constexpr const char* kGuardTypes[] = {"email", "card", "ssn", "phone", "secret", "rule"};

nlohmann::json stats_json(const gateway::UsageStats& s) {
  nlohmann::json found = nlohmann::json::object();
  for (std::size_t i = 0; i < s.detections.size(); ++i) found[kGuardTypes[i]] = s.detections[i];
  return {{"requests", s.requests}, {"errors", s.errors}, {"prompt_tokens", s.prompt_tokens},
          {"completion_tokens", s.completion_tokens}, {"total_tokens", s.tokens()},
          {"latency_p50_ms", static_cast<double>(s.p50_us) / 1000.0}, {"latency_p95_ms", static_cast<double>(s.p95_us) / 1000.0},
          {"guardrails", {{"detections", found}, {"masked", s.masked}, {"blocked", s.blocked}}}};
}

// A spreadsheet must not run a cell as a formula (CSV injection): such cells get a leading quote.
std::string csv_cell(const std::string& v) {
  std::string s = v;
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos) s = "'" + s;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

http::Response bad_query(const http::Request& req) {
  return http::error_response(400, "invalid_filter", "Query parameters: range (24h, 7d, 30d), key_id, model.", req.request_id);
}

}  // namespace

http::Response api_usage(Deps& d, const guard::ViewerCtx&, http::Request& req) {
  auto q = parse(d, req);
  if (!q.ok) return bad_query(req);
  auto read = gateway::usage_report(d.gateway.deps().db, q.filter);
  if (!read) return api::error(read.status(), req);
  const auto& report = *read;
  auto series = nlohmann::json::array();
  for (const auto& b : report.buckets) {
    auto j = stats_json(b.stats);
    j["start"] = api::time_json(b.start_ms / 1000);
    series.push_back(j);
  }
  auto groups = [](const std::vector<gateway::UsageStats>& v) {
    auto out = nlohmann::json::array();
    for (const auto& s : v) {
      auto j = stats_json(s);
      j["name"] = s.label;
      out.push_back(j);
    }
    return out;
  };
  return http::json_response(200, {{"range", q.range}, {"total", stats_json(report.total)}, {"series", series},
                                   {"by_key", groups(report.by_key)}, {"by_model", groups(report.by_model)},
                                   {"truncated", report.truncated}});
}

http::Response usage_csv(Deps& d, const guard::ViewerCtx&, http::Request& req) {
  auto q = parse(d, req);
  if (!q.ok) return bad_query(req);
  std::string csv = "time,key_id,key,model,upstream_model,endpoint,stream,status,prompt_tokens,completion_tokens,latency_ms,"
                    "ttft_ms,overhead_us,request_id,error,g_email,g_card,g_ssn,g_phone,g_secret,g_rule,g_masked,g_blocked\r\n";
  auto read = gateway::usage_rows(d.gateway.deps().db, q.filter, [&](const gateway::UsageRow& r) {
    csv += api::time_json(r.at_ms / 1000).get<std::string>() + "," + std::to_string(r.key_id) + "," + csv_cell(r.key_name) + "," +
           csv_cell(r.model) + "," + csv_cell(r.upstream_model) + "," + r.endpoint + "," + (r.stream ? "true" : "false") + "," +
           std::to_string(r.status) + "," + std::to_string(r.prompt_tokens) + "," + std::to_string(r.completion_tokens) + "," +
           std::to_string(r.latency_us / 1000) + "," + std::to_string(r.ttft_us / 1000) + "," + std::to_string(r.overhead_us) + "," +
           csv_cell(r.request_id) + "," + csv_cell(r.error_code);
    for (auto n : r.guard_found) csv += "," + std::to_string(n);
    csv += "," + std::to_string(r.guard_masked) + "," + csv_cell(r.guard_blocked) + "\r\n";
  });
  if (!read) return api::error(read, req);  // never a CSV that silently stops short
  http::Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(csv);
  r.set_header("Content-Disposition", "attachment; filename=\"airlock-usage-" + q.range + ".csv\"");
  return r;
}

namespace {
// Guardrail detections of the range per type, for the dashboard's table.
nlohmann::json guard_types(const gateway::UsageStats& s) {
  static const char* labels[] = {"E-mail addresses", "Payment cards", "US SSNs", "Phone numbers", "Secrets", "Custom rules"};
  auto out = nlohmann::json::array();
  for (std::size_t i = 0; i < s.detections.size(); ++i)
    out.push_back({{"type", kGuardTypes[i]}, {"label", labels[i]}, {"count", std::to_string(s.detections[i])}});
  return out;
}
}  // namespace

http::Response usage_view(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto q = parse(d, req);
  if (!q.ok) return d.render.message(400, "Bad filter", "The filter could not be read.", {.title = "Usage", .who = &ctx.who()}, req.request_id);
  auto read = gateway::usage_report(d.gateway.deps().db, q.filter);
  auto key_list = gateway::list_keys(d.gateway.deps(), true);
  if (!read || !key_list) return unreadable_page(d, ctx.who(), req.request_id);
  const auto& report = *read;
  bool hourly = q.filter.bucket_ms == 3600000;
  std::vector<std::string> labels;
  Series requests{"requests", "s1", {}}, tokens{"tokens", "s2", {}}, errors{"errors", "s3", {}}, p50{"p50", "s1", {}}, p95{"p95", "s3", {}};
  for (const auto& b : report.buckets) {
    labels.push_back(label(b.start_ms, hourly));
    requests.values.push_back(static_cast<double>(b.stats.requests));
    tokens.values.push_back(static_cast<double>(b.stats.tokens()));
    errors.values.push_back(static_cast<double>(b.stats.errors));
    p50.values.push_back(static_cast<double>(b.stats.p50_us) / 1000.0);
    p95.values.push_back(static_cast<double>(b.stats.p95_us) / 1000.0);
  }
  // Milliseconds with one decimal below 10 ms, where whole numbers would show a fast gateway as 0.
  auto ms = [](std::int64_t us) {
    char buf[32];
    if (us < 10000) std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(us) / 1000.0);
    else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(us / 1000));
    return std::string(buf);
  };
  auto rows = [&ms](const std::vector<gateway::UsageStats>& v) {
    auto out = nlohmann::json::array();
    for (const auto& s : v)
      out.push_back({{"name", s.label}, {"requests", std::to_string(s.requests)}, {"errors", std::to_string(s.errors)},
                     {"tokens", std::to_string(s.tokens())}, {"p50", ms(s.p50_us)}, {"p95", ms(s.p95_us)},
                     {"detected", std::to_string(s.detected())}, {"blocked", std::to_string(s.blocked)}});
    return out;
  };
  auto ranges = nlohmann::json::array();
  for (const char* r : {"24h", "7d", "30d"}) ranges.push_back({{"value", r}, {"selected", q.range == r}});
  auto keys = nlohmann::json::array();
  for (const auto& k : *key_list)
    keys.push_back({{"id", k.id.str()}, {"name", k.name}, {"selected", q.filter.key_id && *q.filter.key_id == k.id.value}});
  std::string query = "range=" + q.range + (q.filter.key_id ? "&key_id=" + std::to_string(*q.filter.key_id) : "") +
                      (q.filter.model.empty() ? "" : "&model=" + http::url_encode(q.filter.model));
  nlohmann::json data = {
      {"chart_requests", bar_chart("Requests per " + std::string(hourly ? "hour" : "day"), labels, requests, "")},
      {"chart_tokens", bar_chart("Tokens per " + std::string(hourly ? "hour" : "day"), labels, tokens, "")},
      {"chart_errors", bar_chart("Errors per " + std::string(hourly ? "hour" : "day"), labels, errors, "")},
      {"chart_latency", line_chart("Latency p50 and p95", labels, {p50, p95}, " ms")},
      {"total_requests", std::to_string(report.total.requests)}, {"total_tokens", std::to_string(report.total.tokens())},
      {"total_errors", std::to_string(report.total.errors)}, {"p95", ms(report.total.p95_us)},
      {"by_key", rows(report.by_key)}, {"by_model", rows(report.by_model)}, {"ranges", ranges}, {"keys", keys},
      {"model", q.filter.model}, {"csv", "/usage.csv?" + query}, {"truncated", report.truncated},
      {"total_detected", std::to_string(report.total.detected())}, {"total_masked", std::to_string(report.total.masked)},
      {"total_blocked", std::to_string(report.total.blocked)}, {"guard_types", guard_types(report.total)}};
  return d.render.page(200, "usage", data, {.title = "Usage", .who = &ctx.who(), .active_nav = "usage"});
}

}  // namespace airlock::console
