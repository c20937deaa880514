#pragma once
// Console pages and management API for the gateway: keys (keys_page.cpp, keys_api.cpp), providers
// and models (catalog_page.cpp, catalog_model_forms.cpp, catalog_provider_forms.cpp, catalog_api.cpp;
// what they share is catalog_service.h), usage (usage_page.cpp). Shared helpers in gateway_pages.cpp.
#include "console/api.h"
#include "gateway/keys.h"

namespace airlock::console {

http::Response keys_view(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response keys_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response keys_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response keys_rotate(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response keys_end_grace(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_key_rotate(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_key_end_grace(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response keys_revoke(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_keys(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_key_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_key_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_key_revoke(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_provider_create(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_provider_update(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response api_model_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_model_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response api_model_delete(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
// A provider as the API shows it: the vendor key only as "…1234", circuit state included.
nlohmann::json provider_json(Deps& d, const store::ProviderRow& p);
http::Response catalog_view(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response models_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response models_toggle(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response models_delete(Deps& d, const guard::EditorCtx& ctx, http::Request& req);
http::Response providers_create(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response providers_toggle(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
http::Response providers_replace_key(Deps& d, const guard::AdminCtx& ctx, http::Request& req);
// What the /models page shows again after a refused form: the problems, and what was typed into
// the add forms (never a vendor key). Empty on a plain GET.
struct CatalogForm {
  std::vector<std::string> problems;
  nlohmann::json model = nlohmann::json::object();     // name, targets (the lines), reasoning
  nlohmann::json provider = nlohmann::json::object();  // name, type, base_url, internal, max_concurrent, ca_pem
};
http::Response catalog_page(Deps& d, const guard::Principal& who, int status, const CatalogForm& form,
                            const std::string& notice);
http::Response api_providers(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_models(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response usage_view(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response usage_csv(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);
http::Response api_usage(Deps& d, const guard::ViewerCtx& ctx, http::Request& req);

// The actor for gateway audit records: the signed-in user, their IP and the request id.
gateway::Actor actor_of(const guard::Principal& who, const http::Request& req);
// A key as the API shows it: no hash, the public prefix only. `max_age_days` is the rotation
// policy (gateway/key_rotation.h) that decides "rotation_due".
nlohmann::json key_json(const store::GatewayKeyRow& k, std::int64_t now, std::optional<std::int64_t> max_age_days);

}  // namespace airlock::console
