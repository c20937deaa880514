#pragma once
// Providers and models made in the console: the one path from fields to the store, shared by the
// management API (catalog_api.cpp, JSON bodies) and the /models page's forms (catalog_*_forms.cpp),
// so both surfaces accept and refuse exactly the same things. Fields take the API's JSON shape; a
// form turns its inputs into that shape first. What the provisioning file declares is refused
// ("provisioned"); every change is audited in the transaction that makes it.
#include <optional>
#include <string>
#include <vector>

#include "console/gateway_pages.h"
#include "store/catalog_repo.h"

namespace airlock::console::catalog {

// A provider's stored settings as the API takes them, without the vendor key: the base for an
// update that changes one thing (enabled, the key) and validates the whole again.
nlohmann::json provider_fields(const store::ProviderRow& r);
std::optional<store::ProviderRow> find_provider(Deps& d, core::ProviderId id);

// Validates `fields` (gateway::parse_api_provider) and creates (`existing` unset) or updates the
// provider. Invalid input fills `problems` and writes nothing; then, and for the store's refusals
// ("not_found", "provisioned", "name_taken"), the result is an error. `replace_key`: write
// fields.api_key (absent removes the key); otherwise the stored key stays.
core::Result<core::ProviderId> save_provider(Deps& d, const nlohmann::json& fields, bool replace_key,
                                             std::optional<core::ProviderId> existing, const gateway::Actor& actor,
                                             std::vector<std::string>& problems);

// A model validated against the providers in the store; usable when `errors` is empty.
struct ModelInput {
  store::ModelRow row;
  std::vector<std::string> errors;
};
// `b`: {"name", "targets": [{"provider": name, "model": upstream model}, ...], "reasoning", "enabled"}.
ModelInput model_input(Deps& d, const nlohmann::json& b);

// Creates (`existing` unset) or updates a model; refusals: "not_found", "provisioned", "name_taken".
core::Status write_model(Deps& d, const ModelInput& in, std::optional<core::ModelId> existing, const gateway::Actor& actor);
// Turns a model on or off, keeping the rest as stored; same refusals as write_model.
core::Status set_model_enabled(Deps& d, core::ModelId id, bool enabled, const gateway::Actor& actor);
// Refusals: "not_found", "provisioned".
core::Status delete_model(Deps& d, core::ModelId id, const gateway::Actor& actor);

}  // namespace airlock::console::catalog
