#include "gateway/guardrails_settings.h"

#include "core/log.h"
#include "gateway/actor_event.h"
#include "gateway/guardrails_cache.h"
#include "guardrails/engine.h"
#include "store/settings_repo.h"

namespace airlock::gateway {
namespace {

GuardrailsState read_state(store::Tx& tx) {
  GuardrailsState s;
  s.provisioned = store::settings::get(tx, kGuardrailsProvisionedSetting).value_or("") == "true";
  if (auto text = store::settings::get(tx, kGuardrailsSetting)) {
    auto read = guardrails::read_policy(nlohmann::json::parse(*text, nullptr, false));
    if (auto* p = std::get_if<guardrails::Policy>(&read)) s.policy = std::move(*p);
  }
  return s;
}

}  // namespace

core::Result<GuardrailsState> read_guardrails(Deps& deps) {
  return deps.db.fetch([](store::Tx& tx) { return read_state(tx); });
}

core::Status save_guardrails(Deps& deps, const guardrails::Policy& policy, const Actor& actor) {
  auto built = guardrails::Engine::build(policy);
  if (auto* bad = std::get_if<guardrails::PolicyProblem>(&built))
    return core::Status::error("guardrails_invalid", bad->field + ": " + bad->message);
  return deps.db.write([&](store::Tx& tx) {
    auto before = read_state(tx);  // in the write: two owners' changes at once each see the other's
    if (before.provisioned)
      return core::Status::error("provisioned", "The provisioning file sets the guardrail policy; change it there.");
    auto at = core::format_time_utc(deps.clock.system_now());
    auto after = guardrails::write_policy(policy);
    store::settings::put(tx, kGuardrailsSetting, after.dump(), at);
    auto e = actor_event("guardrails.change", actor, "setting:guardrails");
    e.details_json = nlohmann::json{{"before", guardrails::write_policy(before.policy)}, {"after", after}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    audit::append(tx, e, at);
    return core::Status::ok();
  });
}

}  // namespace airlock::gateway
