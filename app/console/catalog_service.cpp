#include "console/catalog_service.h"

#include "audit/audit_log.h"
#include "gateway/actor_event.h"
#include "gateway/provision.h"

namespace airlock::console::catalog {
namespace {

using nlohmann::json;

std::string details(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The stored model `id` when the console may change it; `*status` says why not otherwise.
std::optional<store::ModelRow> changeable_model(store::Tx& tx, core::ModelId id, core::Status* status) {
  auto row = store::catalog::find_model_by_id(tx, id);
  if (!row) *status = core::Status::error("not_found", "No such model.");
  else if (row->provisioned) *status = core::Status::error("provisioned", "Declared in the provisioning file: change it there.");
  else return row;
  return std::nullopt;
}

void audit_model(Deps& d, store::Tx& tx, const char* action, const gateway::Actor& actor, core::ModelId id, const json& what) {
  auto e = gateway::actor_event(action, actor, "model:" + id.str());
  e.details_json = details(what);
  audit::append(tx, e, core::format_time_utc(d.gateway.deps().clock.system_now()));
}

}  // namespace

json provider_fields(const store::ProviderRow& r) {
  // "internal" counts only from the operator's file; a row an admin marked before that rule merges as not internal.
  json j = {{"name", r.name}, {"type", r.type}, {"base_url", r.base_url}, {"internal", r.internal && r.provisioned}, {"responses", r.serves_responses},
            {"extra_headers", json::parse(r.extra_headers_json, nullptr, false)}, {"max_concurrent", r.max_concurrent},
            {"enabled", r.enabled},
            {"timeouts", {{"connect_ms", r.connect_timeout_ms}, {"first_byte_ms", r.first_byte_timeout_ms},
                          {"idle_ms", r.idle_timeout_ms}, {"total_ms", r.total_timeout_ms}}}};
  if (r.ca_pem) j["ca_pem"] = *r.ca_pem;
  return j;
}

std::optional<store::ProviderRow> find_provider(Deps& d, core::ProviderId id) {
  std::optional<store::ProviderRow> row;
  (void)d.gateway.deps().db.view([&](store::Tx& tx) {
    row = store::catalog::find_provider(tx, id);
    return core::Status::ok();
  });
  return row;
}

core::Result<core::ProviderId> save_provider(Deps& d, const json& fields, bool replace_key,
                                             std::optional<core::ProviderId> existing, const gateway::Actor& actor,
                                             std::vector<std::string>& problems) {
  // A provisioned row is the operator's: refused as such before its fields are judged by the API's rules.
  if (existing)
    if (auto row = find_provider(d, *existing); row && row->provisioned)
      return core::Status::error("provisioned", "Declared in the provisioning file: change it there.");
  auto parsed = gateway::parse_api_provider(fields, problems, d.gateway.egress_policy());
  if (!parsed) return core::Status::error("invalid_fields", "Some fields are missing or not valid.");
  return gateway::save_provider(d.gateway.deps(), *parsed, replace_key, actor, existing);
}

ModelInput model_input(Deps& d, const json& b) {
  ModelInput in;
  if (!b.is_object()) {
    in.errors.push_back("model: must be an object");
    return in;
  }
  for (auto it = b.begin(); it != b.end(); ++it)
    if (it.key() != "name" && it.key() != "targets" && it.key() != "reasoning" && it.key() != "enabled")
      in.errors.push_back("model." + it.key() + ": is not a known field");
  if (!b.contains("name") || !b["name"].is_string() || b["name"].get_ref<const std::string&>().empty() ||
      b["name"].get_ref<const std::string&>().size() > 200)
    in.errors.push_back("model.name: a string of 1-200 characters");
  else in.row.name = b["name"];
  for (const char* flag : {"reasoning", "enabled"})
    if (b.contains(flag) && !b[flag].is_boolean()) in.errors.push_back(std::string("model.") + flag + ": true or false");
  in.row.reasoning = b.contains("reasoning") && b["reasoning"].is_boolean() && b["reasoning"].get<bool>();
  in.row.enabled = !b.contains("enabled") || !b["enabled"].is_boolean() || b["enabled"].get<bool>();
  auto t = b.find("targets");
  if (t == b.end() || !t->is_array() || t->empty() || t->size() > 16) {
    in.errors.push_back("model.targets: a list of 1-16 {\"provider\",\"model\"} objects");
    return in;
  }
  (void)d.gateway.deps().db.view([&](store::Tx& tx) {
    for (const auto& target : *t) {
      if (!target.is_object() || !target.contains("provider") || !target["provider"].is_string() || !target.contains("model") ||
          !target["model"].is_string() || target["model"].get_ref<const std::string&>().empty() || target.size() != 2) {
        in.errors.push_back("model.targets: each is {\"provider\": name, \"model\": upstream model}");
        continue;
      }
      auto p = store::catalog::find_provider_by_name(tx, target["provider"]);
      if (!p) in.errors.push_back("model.targets: no provider '" + target["provider"].get<std::string>().substr(0, 64) + "'");
      else in.row.targets.push_back({p->id, target["model"]});
    }
    return core::Status::ok();
  });
  return in;
}

core::Status write_model(Deps& d, const ModelInput& in, std::optional<core::ModelId> existing, const gateway::Actor& actor) {
  auto now = d.gateway.deps().now_s();
  return d.gateway.deps().db.write([&](store::Tx& tx) -> core::Status {
    auto same = store::catalog::find_model(tx, in.row.name);
    if (existing) {
      core::Status refused = core::Status::ok();
      auto row = changeable_model(tx, *existing, &refused);
      if (!row) return refused;
      if (same && same->id != *existing) return core::Status::error("name_taken", "Another model has this name.");
      if (row->name != in.row.name) store::catalog::rename_model(tx, *existing, in.row.name, now);
    } else if (same) {
      return core::Status::error("name_taken", "A model with this name exists.");
    }
    auto id = store::catalog::upsert_model(tx, in.row, now);
    audit_model(d, tx, existing ? "model.update" : "model.create", actor, id,
                {{"name", in.row.name}, {"targets", in.row.targets.size()}});
    return core::Status::ok();
  });
}

core::Status set_model_enabled(Deps& d, core::ModelId id, bool enabled, const gateway::Actor& actor) {
  auto now = d.gateway.deps().now_s();
  // Read and written in one transaction, so a change made meanwhile to the targets is kept.
  return d.gateway.deps().db.write([&](store::Tx& tx) -> core::Status {
    core::Status refused = core::Status::ok();
    auto row = changeable_model(tx, id, &refused);
    if (!row) return refused;
    row->enabled = enabled;
    store::catalog::upsert_model(tx, *row, now);
    audit_model(d, tx, "model.update", actor, id, {{"name", row->name}, {"enabled", enabled}});
    return core::Status::ok();
  });
}

core::Status delete_model(Deps& d, core::ModelId id, const gateway::Actor& actor) {
  return d.gateway.deps().db.write([&](store::Tx& tx) -> core::Status {
    core::Status refused = core::Status::ok();
    auto row = changeable_model(tx, id, &refused);
    if (!row) return refused;
    store::catalog::delete_model(tx, id);
    audit_model(d, tx, "model.delete", actor, id, {{"name", row->name}});
    return core::Status::ok();
  });
}

}  // namespace airlock::console::catalog
