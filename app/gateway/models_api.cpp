// GET /v1/models and GET /v1/models/{id}: the models this key may use, in OpenAI's list shape.
#include "gateway/keys.h"
#include "gateway/service.h"
#include "http/json_body.h"

namespace airlock::gateway {
namespace {

nlohmann::json model_json(const store::ModelRow& m) {
  return {{"id", m.name}, {"object", "model"}, {"created", 0}, {"owned_by", "airlock"}};
}

bool visible(const store::GatewayKeyRow& key, const store::ModelRow& m) {
  if (!m.enabled) return false;
  return key.allowed_models.empty() ||
         std::find(key.allowed_models.begin(), key.allowed_models.end(), m.name) != key.allowed_models.end();
}

// Authenticates for the models endpoints; a response when refused.
std::variant<store::GatewayKeyRow, http::Response> models_key(Deps& deps, const http::Request& req) {
  std::string_view presented;
  if (auto* a = req.header("Authorization"); a && a->rfind("Bearer ", 0) == 0) presented = a->substr(7);
  else if (auto* k = req.header("x-api-key")) presented = *k;
  if (presented.empty())
    return dialect_error(Dialect::kOpenAI, 401, "missing_api_key", "Send your Airlock key as Authorization: Bearer alk_….", req);
  auto key = authenticate(deps, presented, req.client_ip);
  if (!key) {
    int status = key.status().code() == "ip_not_allowed" ? 403 : key.status().code() == "invalid_api_key" ? 401 : 503;
    return dialect_error(Dialect::kOpenAI, status, key.status().code(), key.status().message(), req);
  }
  if (std::find(key->scopes.begin(), key->scopes.end(), "models") == key->scopes.end())
    return dialect_error(Dialect::kOpenAI, 403, "scope_not_allowed", "This key may not list models.", req);
  return *key;
}

}  // namespace

http::Response Gateway::list_models(http::Request& req) {
  auto k = models_key(deps_, req);
  if (auto* stop = std::get_if<http::Response>(&k)) return std::move(*stop);
  const auto& key = std::get<store::GatewayKeyRow>(k);
  auto data = nlohmann::json::array();
  (void)deps_.db.view([&](store::Tx& tx) {
    for (const auto& m : store::catalog::models(tx))
      if (visible(key, m)) data.push_back(model_json(m));
    return core::Status::ok();
  });
  return http::json_response(200, {{"object", "list"}, {"data", data}});
}

http::Response Gateway::get_model(http::Request& req) {
  auto k = models_key(deps_, req);
  if (auto* stop = std::get_if<http::Response>(&k)) return std::move(*stop);
  const auto& key = std::get<store::GatewayKeyRow>(k);
  const auto& id = req.path_params.at("model_id");
  std::optional<store::ModelRow> m;
  (void)deps_.db.view([&](store::Tx& tx) {
    m = store::catalog::find_model(tx, id);
    return core::Status::ok();
  });
  // A model the key may not use is as unknown as one that does not exist.
  if (!m || !visible(key, *m))
    return dialect_error(Dialect::kOpenAI, 404, "model_not_found", "The model '" + id.substr(0, 100) + "' does not exist.", req);
  return http::json_response(200, model_json(*m));
}

}  // namespace airlock::gateway
