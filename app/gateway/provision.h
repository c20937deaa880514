#pragma once
// The provisioning file (AIRLOCK_PROVISION_FILE): providers and models declared as JSON, applied
// at every start (and later on reload) so scripted and air-gapped installs need no clicks.
//   {"providers":[{"name":"local","type":"openai","base_url":"http://127.0.0.1:18080/v1",
//                  "api_key_file":"/etc/airlock/openai.key","internal":true}],
//    "models":[{"name":"gpt-4o-mini","targets":[{"provider":"local","model":"gpt-4o-mini"}]}],
//    "guardrails":{"requests":"mask","responses":"monitor","rules":[…]}}   (guardrails/policy.h)
// Secrets are never inline: a provider names api_key_env or api_key_file (or neither, for a local
// server without keys). Everything is validated before anything is written; a bad file stops the
// start with every problem listed, each naming its place ("providers[1].base_url: …").
// What the file declares is marked provisioned (read-only in the console); a guardrail policy in the
// file replaces the organisation's, and stays read-only in the console while the file holds one.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include <nlohmann/json.hpp>

#include "egress/policy.h"
#include "gateway/deps.h"
#include "guardrails/policy.h"
#include "store/catalog_repo.h"

namespace airlock::gateway {

struct ProvisionedProvider {
  store::ProviderRow row;
  std::optional<core::SecretBytes> api_key;
};

struct ProvisionPlan {
  std::vector<ProvisionedProvider> providers;
  struct Model {
    store::ModelRow row;
    std::vector<std::string> target_providers;  // provider names, parallel to row.targets
  };
  std::vector<Model> models;
  std::optional<guardrails::Policy> guardrails;  // checked: its rules compile
};

// Parses and validates `text`; `env` is where api_key_env names are looked up (the process
// environment in production). Problems go to `errors`; the plan is only usable when it is empty.
// Providers not marked internal must name a destination `policy` accepts.
ProvisionPlan parse_provision(const std::string& text, const std::map<std::string, std::string>& env,
                              std::vector<std::string>& errors, const egress::Policy& policy);

// Reads the file and parses it; a missing or unreadable file is one error.
ProvisionPlan load_provision_file(const std::string& path, const std::map<std::string, std::string>& env,
                                  std::vector<std::string>& errors, const egress::Policy& policy);

// One provider as the management API takes it: like the file's, but the vendor key comes inline as
// "api_key" and a CA as "ca_pem" (no file or environment lookups on the server's side). It can
// never be internal: the destination must be one `policy` accepts.
std::optional<ProvisionedProvider> parse_api_provider(const nlohmann::json& p, std::vector<std::string>& errors,
                                                      const egress::Policy& policy);

// Creates (`existing` unset) or updates a provider made through the API; provisioned rows are
// refused ("provisioned"), as is a name in use ("name_taken"). `replace_key`: write p.api_key
// (nullopt removes the key), else the stored key stays; a change that moves_key() a stored key
// without replacing it is refused ("key_required"). Audited.
// True when `after` sends the key somewhere else than `before` did: another base_url, CA or
// `internal` (private addresses, plain http).
bool moves_key(const store::ProviderRow& before, const store::ProviderRow& after);

core::Result<core::ProviderId> save_provider(Deps& deps, const ProvisionedProvider& p, bool replace_key, const Actor& actor,
                                             std::optional<core::ProviderId> existing);

// Writes the plan in one transaction: providers (vendor keys sealed under providers:api_key:<id>),
// then models and their targets. Audited as one "provision.apply" event.
core::Status apply_provision(Deps& deps, const ProvisionPlan& plan);

}  // namespace airlock::gateway
