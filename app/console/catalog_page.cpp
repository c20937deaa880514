// GET /models (page: providers and models), GET /api/v1/providers, GET /api/v1/models. Both come
// from the provisioning file and are read-only here. Vendor keys appear as their last 4 characters.
#include "console/gateway_pages.h"
#include "http/json_body.h"

namespace airlock::console {
namespace {

struct Catalog {
  std::vector<store::ProviderRow> providers;
  std::vector<store::ModelRow> models;
};

Catalog load(Deps& d) {
  Catalog c;
  (void)d.gateway.deps().db.view([&](store::Tx& tx) {
    c.providers = store::catalog::providers(tx);
    c.models = store::catalog::models(tx);
    return core::Status::ok();
  });
  return c;
}

std::string breaker_state(Deps& d, core::ProviderId id) {
  for (const auto& [pid, state] : d.gateway.upstreams().breaker_states())
    if (pid == id.value) return gateway::CircuitBreaker::name(state);
  return "closed";
}

std::string provider_name(const Catalog& c, core::ProviderId id) {
  for (const auto& p : c.providers)
    if (p.id == id) return p.name;
  return "?";
}

}  // namespace

nlohmann::json provider_json(Deps& d, const store::ProviderRow& p) {
  return {{"id", p.id.value}, {"name", p.name}, {"type", p.type}, {"base_url", p.base_url},
          {"api_key", p.api_key_sealed ? nlohmann::json("…" + p.api_key_hint) : nlohmann::json(nullptr)},
          {"internal", p.internal}, {"custom_ca", p.ca_pem.has_value()}, {"enabled", p.enabled}, {"provisioned", p.provisioned},
          {"max_concurrent", p.max_concurrent}, {"circuit", breaker_state(d, p.id)},
          {"timeouts_ms", {{"connect", p.connect_timeout_ms}, {"first_byte", p.first_byte_timeout_ms},
                           {"idle", p.idle_timeout_ms}, {"total", p.total_timeout_ms}}}};
}

http::Response api_providers(Deps& d, const guard::ViewerCtx&, http::Request&) {
  auto list = nlohmann::json::array();
  for (const auto& p : load(d).providers) list.push_back(provider_json(d, p));
  return http::json_response(200, {{"data", list}});
}

http::Response api_models(Deps& d, const guard::ViewerCtx&, http::Request&) {
  auto c = load(d);
  auto list = nlohmann::json::array();
  for (const auto& m : c.models) {
    auto targets = nlohmann::json::array();
    for (const auto& t : m.targets) targets.push_back({{"provider", provider_name(c, t.provider)}, {"model", t.upstream_model}});
    list.push_back({{"id", m.id.value}, {"name", m.name}, {"reasoning", m.reasoning}, {"enabled", m.enabled},
                    {"provisioned", m.provisioned}, {"targets", targets}});
  }
  return http::json_response(200, {{"data", list}});
}

http::Response catalog_view(Deps& d, const guard::ViewerCtx& ctx, http::Request&) {
  auto c = load(d);
  auto providers = nlohmann::json::array();
  for (const auto& p : c.providers) {
    auto j = provider_json(d, p);
    providers.push_back({{"name", p.name}, {"type", p.type}, {"base_url", p.base_url},
                         {"key", p.api_key_sealed ? "…" + p.api_key_hint : std::string("none")}, {"internal", p.internal},
                         {"enabled", p.enabled}, {"circuit", j["circuit"]}, {"circuit_ok", j["circuit"] == "closed"},
                         {"max_concurrent", std::to_string(p.max_concurrent)}});
  }
  auto models = nlohmann::json::array();
  for (const auto& m : c.models) {
    std::string targets;
    for (const auto& t : m.targets) targets += (targets.empty() ? "" : " → ") + provider_name(c, t.provider) + ":" + t.upstream_model;
    models.push_back({{"name", m.name}, {"targets", targets}, {"reasoning", m.reasoning}, {"enabled", m.enabled}});
  }
  nlohmann::json data = {{"providers", providers}, {"models", models}, {"has_providers", !providers.empty()},
                         {"has_models", !models.empty()}};
  return d.render.page(200, "models", data, {.title = "Models and providers", .who = &ctx.who(), .active_nav = "models"});
}

}  // namespace airlock::console
