// POST /settings/guardrails (owners, recent step-up): the guardrail policy from the settings form.
// The selects give each direction's default and per-detector actions ("inherit" leaves a detector
// on the default); the custom rules come as their JSON list. A refusal shows the page again with
// the reason and nothing saved.
#include "console/api.h"
#include "console/gateway_pages.h"
#include "gateway/guardrails_settings.h"

namespace airlock::console {

http::Response settings_guardrails(Deps& d, const guard::OwnerCtx& ctx, http::Request& req) {
  nlohmann::json policy = nlohmann::json::object();
  for (const char* dir : {"requests", "responses"}) {
    nlohmann::json o = {{"default", req.form_field(std::string(dir) + "_default")}};
    for (auto det : guardrails::kBuiltins) {
      std::string name(guardrails::detector_name(det));
      std::string v = req.form_field(std::string(dir) + "_" + name);
      if (!v.empty() && v != "inherit") o[name] = v;
    }
    policy[dir] = std::move(o);
  }
  std::string rules_text = req.form_field("rules");
  if (rules_text.find_first_not_of(" \t\r\n") == std::string::npos) rules_text = "[]";
  auto rules = nlohmann::json::parse(rules_text, nullptr, false);
  if (rules.is_discarded())
    return settings_page(d, ctx.who(), req, 422, "Custom rules: not valid JSON (a list of rules, see the example).");
  policy["rules"] = std::move(rules);
  // Caps and the WAF: an empty cap is none; numbers are checked by read_policy.
  auto number = [&](const char* name, bool empty_is_null) -> nlohmann::json {
    std::string v = req.form_field(name);
    if (v.empty() && empty_is_null) return nullptr;
    if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) return v;  // refused below
    return std::stoll(v);
  };
  policy["limits"] = {{"max_chars", number("max_chars", true)}, {"max_urls", number("max_urls", true)},
                      {"max_phones", number("max_phones", true)}};
  policy["waf"] = {{"violations_per_minute", number("waf_violations", false)}, {"block_seconds", number("waf_seconds", false)}};
  auto read = guardrails::read_policy(policy);
  if (auto* bad = std::get_if<guardrails::PolicyProblem>(&read))
    return settings_page(d, ctx.who(), req, 422, "Guardrails, " + bad->field + ": " + bad->message);
  auto saved = gateway::save_guardrails(d.gateway.deps(), std::get<guardrails::Policy>(read), actor_of(ctx.who(), req));
  if (!saved) return settings_page(d, ctx.who(), req, saved.code() == "provisioned" ? 409 : 422, "Guardrails: " + saved.message());
  return redirect("/settings?saved=1");
}

}  // namespace airlock::console
