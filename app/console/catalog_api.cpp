// Providers (admins) and models (editors) made through the management API. What the provisioning
// file declares stays read-only here ("provisioned"). Vendor keys go in once and never come back.
#include "console/gateway_pages.h"
#include "core/log.h"
#include "gateway/actor_event.h"
#include "gateway/provision.h"
#include "http/errors.h"
#include "http/json_body.h"

namespace airlock::console {
namespace {

using nlohmann::json;

http::Response problems(const std::vector<std::string>& errors, const http::Request& req) {
  return http::error_response(422, "invalid_fields", "Some fields are missing or not valid.", req.request_id,
                              {{"problems", errors}});
}

http::Response catalog_error(const core::Status& s, const http::Request& req) {
  if (s.code() == "not_found") return http::error_response(404, "not_found", s.message(), req.request_id);
  if (s.code() == "provisioned" || s.code() == "name_taken") return http::error_response(409, s.code(), s.message(), req.request_id);
  return http::error_response(500, "internal_error", "An internal error occurred.", req.request_id);
}

// The body as one object, read strictly (http::JsonBody); or the refusal.
std::variant<json, http::Response> object_body(const http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  return std::get<http::JsonBody>(parsed).raw();
}

json editable(const store::ProviderRow& r) {
  json j = {{"name", r.name}, {"type", r.type}, {"base_url", r.base_url}, {"internal", r.internal},
            {"extra_headers", json::parse(r.extra_headers_json, nullptr, false)}, {"max_concurrent", r.max_concurrent},
            {"enabled", r.enabled},
            {"timeouts", {{"connect_ms", r.connect_timeout_ms}, {"first_byte_ms", r.first_byte_timeout_ms},
                          {"idle_ms", r.idle_timeout_ms}, {"total_ms", r.total_timeout_ms}}}};
  if (r.ca_pem) j["ca_pem"] = *r.ca_pem;
  return j;
}


http::Response save(Deps& d, const guard::AdminCtx& ctx, http::Request& req, const json& fields, bool replace_key,
                    std::optional<core::ProviderId> existing) {
  std::vector<std::string> errors;
  auto parsed = gateway::parse_api_provider(fields, errors);
  if (!parsed) return problems(errors, req);
  auto id = gateway::save_provider(d.gateway.deps(), *parsed, replace_key, actor_of(ctx.who(), req), existing);
  if (!id) return catalog_error(id.status(), req);
  std::optional<store::ProviderRow> row;
  (void)d.gateway.deps().db.view([&](store::Tx& tx) {
    row = store::catalog::find_provider(tx, *id);
    return core::Status::ok();
  });
  if (!row) return http::error_response(500, "internal_error", "An internal error occurred.", req.request_id);
  return http::json_response(existing ? 200 : 201, provider_json(d, *row));
}

// Models: validated against the providers in the store.
struct ModelInput {
  store::ModelRow row;
  std::vector<std::string> errors;
};

ModelInput model_input(Deps& d, const json& b) {
  ModelInput in;
  for (auto it = b.begin(); it != b.end(); ++it)
    if (it.key() != "name" && it.key() != "targets" && it.key() != "reasoning" && it.key() != "enabled")
      in.errors.push_back("model." + it.key() + ": is not a known field");
  if (!b.contains("name") || !b["name"].is_string() || b["name"].get_ref<const std::string&>().empty() ||
      b["name"].get_ref<const std::string&>().size() > 200)
    in.errors.push_back("model.name: a string of 1-200 characters");
  else in.row.name = b["name"];
  in.row.reasoning = b.value("reasoning", false);
  in.row.enabled = b.value("enabled", true);
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
  auto& deps = d.gateway.deps();
  auto now = deps.now_s();
  return deps.db.write([&](store::Tx& tx) -> core::Status {
    auto same = store::catalog::find_model(tx, in.row.name);
    if (existing) {
      auto row = store::catalog::find_model_by_id(tx, *existing);
      if (!row) return core::Status::error("not_found", "No such model.");
      if (row->provisioned) return core::Status::error("provisioned", "Declared in the provisioning file: change it there.");
      if (same && same->id != *existing) return core::Status::error("name_taken", "Another model has this name.");
      if (row->name != in.row.name) store::catalog::rename_model(tx, *existing, in.row.name, now);
    } else if (same) {
      return core::Status::error("name_taken", "A model with this name exists.");
    }
    auto id = store::catalog::upsert_model(tx, in.row, now);
    auto e = gateway::actor_event(existing ? "model.update" : "model.create", actor, "model:" + id.str());
    e.details_json = json{{"name", in.row.name}, {"targets", in.row.targets.size()}}.dump(-1, ' ', false, json::error_handler_t::replace);
    audit::append(tx, e, core::format_time_utc(deps.clock.system_now()));
    return core::Status::ok();
  });
}

}  // namespace

http::Response api_provider_create(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  if (auto stop = api::session_only(ctx.who(), req)) return *stop;
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  return save(d, ctx, req, std::get<json>(b), true, std::nullopt);
}

http::Response api_provider_update(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  if (auto stop = api::session_only(ctx.who(), req)) return *stop;
  auto id = api::path_id<core::ProviderId>(req, "provider_id");
  if (!id) return http::error_response(404, "not_found", "No such provider.", req.request_id);
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  auto& patch = std::get<json>(b);
  std::optional<store::ProviderRow> row;
  (void)d.gateway.deps().db.view([&](store::Tx& tx) {
    row = store::catalog::find_provider(tx, *id);
    return core::Status::ok();
  });
  if (!row) return http::error_response(404, "not_found", "No such provider.", req.request_id);
  auto fields = editable(*row);
  bool replace_key = patch.contains("api_key");
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.key() == "api_key" && it->is_null()) continue;  // null removes the key
    fields[it.key()] = *it;
  }
  return save(d, ctx, req, fields, replace_key, id);
}

http::Response api_model_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  auto in = model_input(d, std::get<json>(b));
  if (!in.errors.empty()) return problems(in.errors, req);
  if (auto s = write_model(d, in, std::nullopt, actor_of(ctx.who(), req)); !s) return catalog_error(s, req);
  return http::json_response(201, {{"name", in.row.name}, {"targets", in.row.targets.size()}});
}

http::Response api_model_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ModelId>(req, "model_id");
  if (!id) return http::error_response(404, "not_found", "No such model.", req.request_id);
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  auto in = model_input(d, std::get<json>(b));
  if (!in.errors.empty()) return problems(in.errors, req);
  if (auto s = write_model(d, in, id, actor_of(ctx.who(), req)); !s) return catalog_error(s, req);
  return http::json_response(200, {{"name", in.row.name}, {"targets", in.row.targets.size()}});
}

http::Response api_model_delete(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ModelId>(req, "model_id");
  if (!id) return http::error_response(404, "not_found", "No such model.", req.request_id);
  auto& deps = d.gateway.deps();
  auto actor = actor_of(ctx.who(), req);
  auto s = deps.db.write([&](store::Tx& tx) -> core::Status {
    auto row = store::catalog::find_model_by_id(tx, *id);
    if (!row) return core::Status::error("not_found", "No such model.");
    if (row->provisioned) return core::Status::error("provisioned", "Declared in the provisioning file: change it there.");
    store::catalog::delete_model(tx, *id);
    auto e = gateway::actor_event("model.delete", actor, "model:" + id->str());
    e.details_json = json{{"name", row->name}}.dump(-1, ' ', false, json::error_handler_t::replace);
    audit::append(tx, e, core::format_time_utc(deps.clock.system_now()));
    return core::Status::ok();
  });
  if (!s) return catalog_error(s, req);
  return api::no_content();
}

}  // namespace airlock::console
