#pragma once
// providers, models and model_targets: where requests for a public model name go. The vendor key
// column holds the field cipher's token (AAD providers:api_key:<id>); this repository never sees
// a plaintext key.
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "store/tx.h"

namespace airlock::store {

struct ProviderRow {
  core::ProviderId id;
  std::string name;
  std::string type;      // openai | anthropic
  std::string base_url;  // e.g. https://api.openai.com/v1
  std::optional<std::string> api_key_sealed;
  std::string api_key_hint;          // last 4 characters, for people
  std::string extra_headers_json = "{}";
  bool internal = false;             // may use plain http / private addresses
  bool serves_responses = true;      // OpenAI type: /responses natively; false: Airlock translates to chat
  std::optional<std::string> ca_pem;  // extra trust anchor for this provider only
  std::int64_t connect_timeout_ms = 10000;
  std::int64_t first_byte_timeout_ms = 30000;
  std::int64_t idle_timeout_ms = 60000;
  std::int64_t total_timeout_ms = 600000;
  std::int64_t max_concurrent = 64;
  bool enabled = true;
  bool provisioned = false;
};

struct ModelTarget {
  core::ProviderId provider;
  std::string upstream_model;
};

struct ModelRow {
  core::ModelId id;
  std::string name;
  bool reasoning = false;
  bool enabled = true;
  bool provisioned = false;
  std::vector<ModelTarget> targets;  // fallback order
};

namespace catalog {

// Creates or updates the provider called row.name (everything but the key); returns its id.
core::ProviderId upsert_provider(Tx& tx, const ProviderRow& row, std::int64_t now);
void rename_provider(Tx& tx, core::ProviderId id, const std::string& name, std::int64_t now);
void set_provider_key(Tx& tx, core::ProviderId id, const std::optional<std::string>& sealed, const std::string& hint,
                      std::int64_t now);
std::vector<ProviderRow> providers(Tx& tx);
std::optional<ProviderRow> find_provider(Tx& tx, core::ProviderId id);
std::optional<ProviderRow> find_provider_by_name(Tx& tx, const std::string& name);

// Creates or updates the model called row.name and replaces its targets.
core::ModelId upsert_model(Tx& tx, const ModelRow& row, std::int64_t now);
std::vector<ModelRow> models(Tx& tx);
std::optional<ModelRow> find_model(Tx& tx, const std::string& name);
std::optional<ModelRow> find_model_by_id(Tx& tx, core::ModelId id);
void rename_model(Tx& tx, core::ModelId id, const std::string& name, std::int64_t now);
// Deletes the model and its targets; false when unknown.
bool delete_model(Tx& tx, core::ModelId id);

}  // namespace catalog
}  // namespace airlock::store
