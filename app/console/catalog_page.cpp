// GET /models (page: providers and models, with the forms for the caller's role), GET
// /api/v1/providers, GET /api/v1/models. Rows from the provisioning file are read-only here.
// Vendor keys appear as their last 4 characters, and never go back into a form.
#include "console/gateway_pages.h"
#include "http/json_body.h"

namespace airlock::console {
namespace {

struct Catalog {
  std::vector<store::ProviderRow> providers;
  std::vector<store::ModelRow> models;
};

core::Result<Catalog> load(Deps& d) {
  return d.gateway.deps().db.fetch(
      [](store::Tx& tx) { return Catalog{store::catalog::providers(tx), store::catalog::models(tx)}; });
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

// Field names of the API's problems ("provider.base_url: …") as the form labels them.
std::string labelled(const std::string& problem) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"provider.name:", "Name:"},         {"provider.type:", "Type:"},
      {"provider.base_url:", "Base URL:"}, {"provider.max_concurrent:", "Max concurrent:"},
      {"provider.ca_pem:", "Custom CA:"},  {"provider:", "Vendor key:"},
      {"model.name:", "Name:"},            {"model.targets:", "Targets:"}};
  for (const auto& [field, label] : kLabels)
    if (problem.rfind(field, 0) == 0) return label + problem.substr(std::string(field).size());
  return problem;
}

}  // namespace

nlohmann::json provider_json(Deps& d, const store::ProviderRow& p) {
  return {{"id", p.id.value}, {"name", p.name}, {"type", p.type}, {"base_url", p.base_url},
          {"api_key", p.api_key_sealed ? nlohmann::json("…" + p.api_key_hint) : nlohmann::json(nullptr)},
          {"internal", p.internal && p.provisioned}, {"responses", p.serves_responses},
          {"custom_ca", p.ca_pem.has_value()}, {"enabled", p.enabled}, {"provisioned", p.provisioned},
          {"max_concurrent", p.max_concurrent}, {"circuit", breaker_state(d, p.id)},
          {"timeouts_ms", {{"connect", p.connect_timeout_ms}, {"first_byte", p.first_byte_timeout_ms},
                           {"idle", p.idle_timeout_ms}, {"total", p.total_timeout_ms}}}};
}

http::Response api_providers(Deps& d, const guard::ViewerCtx&, http::Request& req) {
  auto c = load(d);
  if (!c) return api::error(c.status(), req);
  auto list = nlohmann::json::array();
  for (const auto& p : c->providers) list.push_back(provider_json(d, p));
  return http::json_response(200, {{"data", list}});
}

http::Response api_models(Deps& d, const guard::ViewerCtx&, http::Request& req) {
  auto read = load(d);
  if (!read) return api::error(read.status(), req);
  const auto& c = *read;
  auto list = nlohmann::json::array();
  for (const auto& m : c.models) {
    auto targets = nlohmann::json::array();
    for (const auto& t : m.targets) targets.push_back({{"provider", provider_name(c, t.provider)}, {"model", t.upstream_model}});
    list.push_back({{"id", m.id.value}, {"name", m.name}, {"reasoning", m.reasoning}, {"enabled", m.enabled},
                    {"provisioned", m.provisioned}, {"targets", targets}});
  }
  return http::json_response(200, {{"data", list}});
}

http::Response catalog_page(Deps& d, const guard::Principal& who, int status, const CatalogForm& form,
                            const std::string& notice) {
  auto read = load(d);
  if (!read) return unreadable_page(d, who);
  const auto& c = *read;
  bool editor = identity::role_at_least(who.user.role, identity::Role::kEditor);
  bool admin = identity::role_at_least(who.user.role, identity::Role::kAdmin);
  auto providers = nlohmann::json::array();
  std::string names;
  for (const auto& p : c.providers) {
    auto j = provider_json(d, p);
    names += (names.empty() ? "" : ", ") + p.name;
    providers.push_back({{"id", p.id.str()}, {"name", p.name}, {"type", p.type}, {"base_url", p.base_url},
                         {"key", p.api_key_sealed ? "…" + p.api_key_hint : std::string("none")},
                         {"internal", p.internal && p.provisioned}, {"chat_only", p.type == "openai" && !p.serves_responses},
                         {"enabled", p.enabled}, {"circuit", j["circuit"]}, {"circuit_ok", j["circuit"] == "closed"},
                         {"max_concurrent", std::to_string(p.max_concurrent)}, {"provisioned", p.provisioned}});
  }
  auto models = nlohmann::json::array();
  for (const auto& m : c.models) {
    std::string targets;
    for (const auto& t : m.targets) targets += (targets.empty() ? "" : " → ") + provider_name(c, t.provider) + ":" + t.upstream_model;
    models.push_back({{"id", m.id.str()}, {"name", m.name}, {"targets", targets}, {"reasoning", m.reasoning},
                      {"enabled", m.enabled}, {"provisioned", m.provisioned}});
  }
  auto problems = nlohmann::json::array();
  for (const auto& p : form.problems) problems.push_back(labelled(p));
  auto typed = form.provider;
  std::string type = typed.value("type", "openai");
  typed["types"] = {{{"value", "openai"}, {"selected", type == "openai"}}, {{"value", "anthropic"}, {"selected", type == "anthropic"}}};
  nlohmann::json data = {{"providers", providers}, {"models", models}, {"has_providers", !providers.empty()},
                         {"has_models", !models.empty()}, {"editor", editor}, {"admin", admin},
                         {"csrf", who.session.csrf_token}, {"problems", problems}, {"has_problems", !problems.empty()},
                         {"model_form", form.model}, {"provider_form", typed},
                         {"provider_names", names.empty() ? std::string("none yet") : names}};
  auto allow = nlohmann::json::array();
  const auto& entries = d.gateway.egress_policy().allowlist();
  for (std::size_t i = 0; i < entries.size(); ++i) allow.push_back({{"text", entries[i].text}, {"last", i + 1 == entries.size()}});
  data["egress_allow"] = allow;
  data["has_egress_allow"] = !allow.empty();
  return d.render.page(status, "models", data, {.title = "Models and providers", .who = &who, .notice = notice, .active_nav = "models"});
}

http::Response catalog_view(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  static const std::pair<const char*, const char*> kDone[] = {
      {"model_added", "Model added: clients can use it from the next request."},
      {"model_enabled", "Model enabled."},
      {"model_disabled", "Model disabled: requests for it are refused from the next one."},
      {"model_deleted", "Model deleted."},
      {"provider_added", "Provider added. Route a model to it to use it."},
      {"provider_enabled", "Provider enabled."},
      {"provider_disabled", "Provider disabled: models skip it and fall back to their next target."},
      {"key_replaced", "Vendor key replaced: it is used from the next request."}};
  std::string notice;
  for (const auto& [done, text] : kDone)
    if (req.query_param("done") == done) notice = text;
  return catalog_page(d, ctx.who(), 200, {}, notice);
}

}  // namespace airlock::console
