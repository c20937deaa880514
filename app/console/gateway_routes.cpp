#include "console/gateway_pages.h"

namespace airlock::console {

void add_gateway_routes(guard::Routes& routes, Deps& d) {
  using guard::AdminCtx;
  using guard::EditorCtx;
  using guard::ViewerCtx;
  // Gateway keys: everyone signed in reads; editors create, change, rotate and revoke.
  routes.add<ViewerCtx>("GET", "/keys", [&d](const ViewerCtx& c, http::Request& r) { return keys_view(d, c, r); });
  routes.add<EditorCtx>("POST", "/keys", [&d](const EditorCtx& c, http::Request& r) { return keys_create(d, c, r); });
  routes.add<EditorCtx>("POST", "/keys/{key_id}/limits", [&d](const EditorCtx& c, http::Request& r) { return keys_update(d, c, r); });
  routes.add<EditorCtx>("POST", "/keys/{key_id}/revoke", [&d](const EditorCtx& c, http::Request& r) { return keys_revoke(d, c, r); });
  routes.add<EditorCtx>("POST", "/keys/{key_id}/rotate", [&d](const EditorCtx& c, http::Request& r) { return keys_rotate(d, c, r); });
  routes.add<EditorCtx>("POST", "/keys/{key_id}/end-grace", [&d](const EditorCtx& c, http::Request& r) { return keys_end_grace(d, c, r); });
  routes.add<ViewerCtx>("GET", "/api/v1/keys", [&d](const ViewerCtx& c, http::Request& r) { return api_keys(d, c, r); });
  routes.add<EditorCtx>("POST", "/api/v1/keys", [&d](const EditorCtx& c, http::Request& r) { return api_key_create(d, c, r); },
                       {.session_only = true});
  routes.add<EditorCtx>("PATCH", "/api/v1/keys/{key_id}", [&d](const EditorCtx& c, http::Request& r) { return api_key_update(d, c, r); });
  routes.add<EditorCtx>("DELETE", "/api/v1/keys/{key_id}", [&d](const EditorCtx& c, http::Request& r) { return api_key_revoke(d, c, r); });
  routes.add<EditorCtx>("POST", "/api/v1/keys/{key_id}/rotate", [&d](const EditorCtx& c, http::Request& r) { return api_key_rotate(d, c, r); },
                       {.session_only = true});
  routes.add<EditorCtx>("POST", "/api/v1/keys/{key_id}/end-grace", [&d](const EditorCtx& c, http::Request& r) { return api_key_end_grace(d, c, r); });

  // Providers (admins) and models (editors): the page's forms, then the API. What the provisioning
  // file declares is read-only on both.
  routes.add<ViewerCtx>("GET", "/models", [&d](const ViewerCtx& c, http::Request& r) { return catalog_view(d, c, r); });
  routes.add<EditorCtx>("POST", "/models", [&d](const EditorCtx& c, http::Request& r) { return models_create(d, c, r); });
  routes.add<EditorCtx>("POST", "/models/{model_id}/toggle", [&d](const EditorCtx& c, http::Request& r) { return models_toggle(d, c, r); });
  routes.add<EditorCtx>("POST", "/models/{model_id}/delete", [&d](const EditorCtx& c, http::Request& r) { return models_delete(d, c, r); });
  routes.add<AdminCtx>("POST", "/providers", [&d](const AdminCtx& c, http::Request& r) { return providers_create(d, c, r); });
  routes.add<AdminCtx>("POST", "/providers/{provider_id}/toggle", [&d](const AdminCtx& c, http::Request& r) { return providers_toggle(d, c, r); });
  routes.add<AdminCtx>("POST", "/providers/{provider_id}/key", [&d](const AdminCtx& c, http::Request& r) { return providers_replace_key(d, c, r); });
  routes.add<ViewerCtx>("GET", "/api/v1/providers", [&d](const ViewerCtx& c, http::Request& r) { return api_providers(d, c, r); });
  routes.add<AdminCtx>("POST", "/api/v1/providers", [&d](const AdminCtx& c, http::Request& r) { return api_provider_create(d, c, r); },
                       {.session_only = true});
  routes.add<AdminCtx>("PATCH", "/api/v1/providers/{provider_id}", [&d](const AdminCtx& c, http::Request& r) { return api_provider_update(d, c, r); },
                       {.session_only = true});
  routes.add<ViewerCtx>("GET", "/api/v1/models", [&d](const ViewerCtx& c, http::Request& r) { return api_models(d, c, r); });
  routes.add<EditorCtx>("POST", "/api/v1/models", [&d](const EditorCtx& c, http::Request& r) { return api_model_create(d, c, r); });
  routes.add<EditorCtx>("PATCH", "/api/v1/models/{model_id}", [&d](const EditorCtx& c, http::Request& r) { return api_model_update(d, c, r); });
  routes.add<EditorCtx>("DELETE", "/api/v1/models/{model_id}", [&d](const EditorCtx& c, http::Request& r) { return api_model_delete(d, c, r); });

  // Usage: dashboard, JSON, CSV export.
  routes.add<ViewerCtx>("GET", "/usage", [&d](const ViewerCtx& c, http::Request& r) { return usage_view(d, c, r); });
  routes.add<ViewerCtx>("GET", "/usage.csv", [&d](const ViewerCtx& c, http::Request& r) { return usage_csv(d, c, r); });
  routes.add<ViewerCtx>("GET", "/api/v1/usage", [&d](const ViewerCtx& c, http::Request& r) { return api_usage(d, c, r); });
}

}  // namespace airlock::console
