// GET /v1/models and GET /v1/models/{id}: the models this key may use, in OpenAI's list shape,
// from the catalog cache (no statement unless the catalog changed).
#include "gateway/key_auth.h"
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

}  // namespace

http::Response Gateway::list_models(const KeyCtx& caller, http::Request& req) {
  const auto& key = caller.key();
  auto catalog = catalog_.get();
  if (!catalog) return dialect_error(Dialect::kOpenAI, "unavailable", "The models could not be listed; try again.", req, 1);
  auto data = nlohmann::json::array();
  for (const auto& [name, m] : catalog->models)
    if (visible(key, m)) data.push_back(model_json(m));
  return http::json_response(200, {{"object", "list"}, {"data", data}});
}

http::Response Gateway::get_model(const KeyCtx& caller, http::Request& req) {
  const auto& key = caller.key();
  const auto& id = req.path_params.at("model_id");
  auto catalog = catalog_.get();
  if (!catalog) return dialect_error(Dialect::kOpenAI, "unavailable", "The model could not be looked up; try again.", req, 1);
  const store::ModelRow* m = nullptr;
  if (auto it = catalog->models.find(id); it != catalog->models.end()) m = &it->second;
  // A model the key may not use is as unknown as one that does not exist.
  if (!m || !visible(key, *m))
    return dialect_error(Dialect::kOpenAI, "model_not_found", "The model '" + id.substr(0, 100) + "' does not exist.", req);
  return http::json_response(200, model_json(*m));
}

}  // namespace airlock::gateway
