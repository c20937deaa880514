// GET /api/v1/metrics: Prometheus text format (version 0.0.4). Per provider: circuit state,
// requests in flight, connections opened; the usage recorder's written and dropped records.
// Names are the provider names an admin chose: escaped as label values, never trusted as text.
#include <string>

#include "console/api.h"
#include "gateway/key_rotation.h"
#include "core/barrier.h"
#include "core/build_info.h"

namespace airlock::console {
namespace {

std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

http::Response api_metrics(Deps& d, const guard::ViewerCtx&, http::Request&) {
  auto& gw = d.gateway;
  auto providers = gw.upstreams().stats();
  std::string out;
  family(out, "airlock_build_info", "gauge", "The running version.");
  out.append("airlock_build_info{version=\"").append(label(core::kVersion)).append("\"} 1\n");
  family(out, "airlock_provider_circuit_open", "gauge", "1 while the provider's circuit breaker is open or half-open.");
  for (const auto& p : providers)
    out.append("airlock_provider_circuit_open{provider=\"" + label(p.name) + "\",state=\"" +
               gateway::CircuitBreaker::name(p.circuit) + "\"} " +
               (p.circuit == gateway::CircuitBreaker::State::kClosed ? "0" : "1") + "\n");
  family(out, "airlock_provider_in_flight", "gauge", "Requests to the provider in progress.");
  for (const auto& p : providers)
    out.append("airlock_provider_in_flight{provider=\"" + label(p.name) + "\"} " + std::to_string(p.in_flight) + "\n");
  family(out, "airlock_provider_connections_opened_total", "counter", "Upstream connections opened to the provider.");
  for (const auto& p : providers)
    out.append("airlock_provider_connections_opened_total{provider=\"" + label(p.name) + "\"} " +
               std::to_string(p.connections_made) + "\n");
  family(out, "airlock_internal_errors_total", "counter",
         "Unexpected exceptions caught by a barrier (answered 500; the process went on).");
  out.append("airlock_internal_errors_total " + std::to_string(core::internal_errors_total()) + "\n");
  family(out, "airlock_usage_records_written_total", "counter", "Usage records committed to the store.");
  out.append("airlock_usage_records_written_total " + std::to_string(gw.usage().written()) + "\n");
  family(out, "airlock_usage_records_dropped_total", "counter", "Usage records dropped (queue full or store error).");
  out.append("airlock_usage_records_dropped_total " + std::to_string(gw.usage().dropped()) + "\n");
  family(out, "airlock_guardrail_detections_total", "counter",
         "Guardrail detections in requests and answers since start, by detector and the action taken.");
  const auto& counts = gw.guard_counts();
  for (std::size_t det = 0; det < counts.size(); ++det) {
    std::string name = det < guardrails::kBuiltinCount ? std::string(guardrails::detector_name(guardrails::kBuiltins[det])) : "rule";
    for (std::size_t a = 1; a < 4; ++a)  // "off" never counts
      out.append("airlock_guardrail_detections_total{detector=\"" + name + "\",action=\"" +
                 std::string(guardrails::action_name(static_cast<guardrails::Action>(a))) + "\"} " +
                 std::to_string(counts[det][a].load(std::memory_order_relaxed)) + "\n");
  }
  family(out, "airlock_waf_blocked", "gauge", "Keys and client addresses the WAF refuses now.");
  out.append("airlock_waf_blocked " + std::to_string(gw.waf().blocks().size()) + "\n");
  family(out, "airlock_waf_bursts_total", "counter", "Keys seen far above their own recent request rate since start.");
  out.append("airlock_waf_bursts_total " + std::to_string(gw.waf().bursts()) + "\n");
  // Rotation state from the store (one read per scrape); left out when the store cannot answer.
  auto keys = gateway::list_keys(gw.deps(), false);
  auto max_age = gateway::key_max_age_days(gw.deps());
  if (keys && max_age) {
    auto now = gw.deps().now_s();
    std::size_t due = 0, grace = 0;
    for (const auto& k : *keys) {
      due += gateway::rotation_due(k, *max_age, now) ? 1 : 0;
      grace += gateway::in_grace(k, now) ? 1 : 0;
    }
    family(out, "airlock_gateway_keys_rotation_due", "gauge",
           "Live gateway keys whose secret is older than the maximum key age (0 without a policy).");
    out.append("airlock_gateway_keys_rotation_due " + std::to_string(due) + "\n");
    family(out, "airlock_gateway_keys_in_grace", "gauge", "Rotated gateway keys whose old secret still works.");
    out.append("airlock_gateway_keys_in_grace " + std::to_string(grace) + "\n");
  }
  http::Response r;
  r.status = 200;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = std::move(out);
  return r;
}

}  // namespace airlock::console
