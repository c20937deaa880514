// Providers (admins) and models (editors) made through the management API. What the provisioning
// file declares stays read-only here ("provisioned"). Vendor keys go in once and never come back.
// Validation and writes are catalog_service's, shared with the /models page's forms.
#include "console/catalog_service.h"
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

// The body as one object, read strictly (http::JsonBody); or the refusal.
std::variant<json, http::Response> object_body(const http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  return std::get<http::JsonBody>(parsed).raw();
}

http::Response save(Deps& d, const guard::AdminCtx& ctx, http::Request& req, const json& fields, bool replace_key,
                    std::optional<core::ProviderId> existing) {
  std::vector<std::string> errors;
  auto id = catalog::save_provider(d, fields, replace_key, existing, actor_of(ctx.who(), req), errors);
  if (!errors.empty()) return problems(errors, req);
  if (!id) return api::error(id.status(), req);
  auto row = catalog::find_provider(d, *id);
  if (!row) return http::error_response(500, "internal_error", "An internal error occurred.", req.request_id);
  return http::json_response(existing ? 200 : 201, provider_json(d, *row));
}

}  // namespace

http::Response api_provider_create(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  return save(d, ctx, req, std::get<json>(b), true, std::nullopt);
}

http::Response api_provider_update(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ProviderId>(req, "provider_id");
  if (!id) return http::error_response(404, "not_found", "No such provider.", req.request_id);
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  auto& patch = std::get<json>(b);
  auto row = catalog::find_provider(d, *id);
  if (!row) return http::error_response(404, "not_found", "No such provider.", req.request_id);
  auto fields = catalog::provider_fields(*row);
  bool replace_key = patch.contains("api_key");
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.key() == "api_key" && it->is_null()) continue;  // null removes the key
    fields[it.key()] = *it;
  }
  // Sending the key somewhere else is a sensitive change: the admin confirms who they are first.
  std::vector<std::string> ignored;
  if (auto after = gateway::parse_api_provider(fields, ignored, d.gateway.egress_policy()); after && gateway::moves_key(*row, after->row))
    if (auto ask = need_step_up(d, ctx.who(), req, "/models")) return std::move(*ask);
  return save(d, ctx, req, fields, replace_key, id);
}

http::Response api_model_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  auto in = catalog::model_input(d, std::get<json>(b));
  if (!in.errors.empty()) return problems(in.errors, req);
  if (auto s = catalog::write_model(d, in, std::nullopt, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return http::json_response(201, {{"name", in.row.name}, {"targets", in.row.targets.size()}});
}

http::Response api_model_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ModelId>(req, "model_id");
  if (!id) return http::error_response(404, "not_found", "No such model.", req.request_id);
  auto b = object_body(req);
  if (auto* stop = std::get_if<http::Response>(&b)) return std::move(*stop);
  auto in = catalog::model_input(d, std::get<json>(b));
  if (!in.errors.empty()) return problems(in.errors, req);
  if (auto s = catalog::write_model(d, in, id, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return http::json_response(200, {{"name", in.row.name}, {"targets", in.row.targets.size()}});
}

http::Response api_model_delete(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::ModelId>(req, "model_id");
  if (!id) return http::error_response(404, "not_found", "No such model.", req.request_id);
  if (auto s = catalog::delete_model(d, *id, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return api::no_content();
}

}  // namespace airlock::console
