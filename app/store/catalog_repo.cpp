#include "store/catalog_repo.h"

#include <SQLiteCpp/Statement.h>

namespace airlock::store::catalog {
namespace {

constexpr const char* kProviderSelect =
    "SELECT id, name, type, base_url, api_key, api_key_hint, extra_headers, internal, ca_pem, connect_timeout_ms, "
    "first_byte_timeout_ms, idle_timeout_ms, total_timeout_ms, max_concurrent, enabled, provisioned, serves_responses "
    "FROM providers ";

ProviderRow read_provider(SQLite::Statement& q) {
  ProviderRow r;
  r.id = core::ProviderId(q.getColumn(0).getInt64());
  r.name = q.getColumn(1).getString();
  r.type = q.getColumn(2).getString();
  r.base_url = q.getColumn(3).getString();
  if (!q.getColumn(4).isNull()) r.api_key_sealed = q.getColumn(4).getString();
  r.api_key_hint = q.getColumn(5).getString();
  r.extra_headers_json = q.getColumn(6).getString();
  r.internal = q.getColumn(7).getInt() == 1;
  if (!q.getColumn(8).isNull()) r.ca_pem = q.getColumn(8).getString();
  r.connect_timeout_ms = q.getColumn(9).getInt64();
  r.first_byte_timeout_ms = q.getColumn(10).getInt64();
  r.idle_timeout_ms = q.getColumn(11).getInt64();
  r.total_timeout_ms = q.getColumn(12).getInt64();
  r.max_concurrent = q.getColumn(13).getInt64();
  r.enabled = q.getColumn(14).getInt() == 1;
  r.provisioned = q.getColumn(15).getInt() == 1;
  r.serves_responses = q.getColumn(16).getInt() == 1;
  return r;
}

void load_targets(Tx& tx, ModelRow& m) {
  SQLite::Statement q(tx.db(), "SELECT provider_id, upstream_model FROM model_targets WHERE model_id = ? ORDER BY position");
  q.bind(1, m.id.value);
  while (q.executeStep()) m.targets.push_back({core::ProviderId(q.getColumn(0).getInt64()), q.getColumn(1).getString()});
}

ModelRow read_model(SQLite::Statement& q) {
  ModelRow m;
  m.id = core::ModelId(q.getColumn(0).getInt64());
  m.name = q.getColumn(1).getString();
  m.reasoning = q.getColumn(2).getInt() == 1;
  m.enabled = q.getColumn(3).getInt() == 1;
  m.provisioned = q.getColumn(4).getInt() == 1;
  return m;
}

}  // namespace

core::ProviderId upsert_provider(Tx& tx, const ProviderRow& r, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO providers (name, type, base_url, extra_headers, internal, ca_pem, connect_timeout_ms, "
                      "first_byte_timeout_ms, idle_timeout_ms, total_timeout_ms, max_concurrent, enabled, provisioned, "
                      "created_at, updated_at, serves_responses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (name) DO UPDATE SET type = excluded.type, base_url = excluded.base_url, "
                      "extra_headers = excluded.extra_headers, internal = excluded.internal, ca_pem = excluded.ca_pem, "
                      "connect_timeout_ms = excluded.connect_timeout_ms, first_byte_timeout_ms = excluded.first_byte_timeout_ms, "
                      "idle_timeout_ms = excluded.idle_timeout_ms, total_timeout_ms = excluded.total_timeout_ms, "
                      "max_concurrent = excluded.max_concurrent, enabled = excluded.enabled, "
                      "provisioned = excluded.provisioned, updated_at = excluded.updated_at, "
                      "serves_responses = excluded.serves_responses");
  q.bind(1, r.name);
  q.bind(2, r.type);
  q.bind(3, r.base_url);
  q.bind(4, r.extra_headers_json);
  q.bind(5, r.internal ? 1 : 0);
  if (r.ca_pem) q.bind(6, *r.ca_pem);
  else q.bind(6);
  q.bind(7, r.connect_timeout_ms);
  q.bind(8, r.first_byte_timeout_ms);
  q.bind(9, r.idle_timeout_ms);
  q.bind(10, r.total_timeout_ms);
  q.bind(11, r.max_concurrent);
  q.bind(12, r.enabled ? 1 : 0);
  q.bind(13, r.provisioned ? 1 : 0);
  q.bind(14, now);
  q.bind(15, now);
  q.bind(16, r.serves_responses ? 1 : 0);
  q.exec();
  SQLite::Statement id(tx.db(), "SELECT id FROM providers WHERE name = ?");
  id.bind(1, r.name);
  id.executeStep();
  return core::ProviderId(id.getColumn(0).getInt64());
}

void rename_provider(Tx& tx, core::ProviderId id, const std::string& name, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE providers SET name = ?, updated_at = ? WHERE id = ?");
  q.bind(1, name);
  q.bind(2, now);
  q.bind(3, id.value);
  q.exec();
}

void set_provider_key(Tx& tx, core::ProviderId id, const std::optional<std::string>& sealed, const std::string& hint,
                      std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE providers SET api_key = ?, api_key_hint = ?, updated_at = ? WHERE id = ?");
  if (sealed) q.bind(1, *sealed);
  else q.bind(1);
  q.bind(2, hint);
  q.bind(3, now);
  q.bind(4, id.value);
  q.exec();
}

std::vector<ProviderRow> providers(Tx& tx) {
  SQLite::Statement q(tx.db(), std::string(kProviderSelect) + "ORDER BY name");
  std::vector<ProviderRow> out;
  while (q.executeStep()) out.push_back(read_provider(q));
  return out;
}

std::optional<ProviderRow> find_provider(Tx& tx, core::ProviderId id) {
  SQLite::Statement q(tx.db(), std::string(kProviderSelect) + "WHERE id = ?");
  q.bind(1, id.value);
  if (!q.executeStep()) return std::nullopt;
  return read_provider(q);
}

std::optional<ProviderRow> find_provider_by_name(Tx& tx, const std::string& name) {
  SQLite::Statement q(tx.db(), std::string(kProviderSelect) + "WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return read_provider(q);
}

core::ModelId upsert_model(Tx& tx, const ModelRow& m, std::int64_t now) {
  SQLite::Statement q(tx.db(),
                      "INSERT INTO models (name, reasoning, enabled, provisioned, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET reasoning = excluded.reasoning, "
                      "enabled = excluded.enabled, provisioned = excluded.provisioned, updated_at = excluded.updated_at");
  q.bind(1, m.name);
  q.bind(2, m.reasoning ? 1 : 0);
  q.bind(3, m.enabled ? 1 : 0);
  q.bind(4, m.provisioned ? 1 : 0);
  q.bind(5, now);
  q.bind(6, now);
  q.exec();
  SQLite::Statement id_q(tx.db(), "SELECT id FROM models WHERE name = ?");
  id_q.bind(1, m.name);
  id_q.executeStep();
  core::ModelId id(id_q.getColumn(0).getInt64());
  SQLite::Statement del(tx.db(), "DELETE FROM model_targets WHERE model_id = ?");
  del.bind(1, id.value);
  del.exec();
  int pos = 0;
  for (const auto& t : m.targets) {
    SQLite::Statement ins(tx.db(), "INSERT INTO model_targets (model_id, position, provider_id, upstream_model) VALUES (?, ?, ?, ?)");
    ins.bind(1, id.value);
    ins.bind(2, pos++);
    ins.bind(3, t.provider.value);
    ins.bind(4, t.upstream_model);
    ins.exec();
  }
  return id;
}

std::vector<ModelRow> models(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT id, name, reasoning, enabled, provisioned FROM models ORDER BY name");
  std::vector<ModelRow> out;
  while (q.executeStep()) out.push_back(read_model(q));
  for (auto& m : out) load_targets(tx, m);
  return out;
}

std::optional<ModelRow> find_model(Tx& tx, const std::string& name) {
  SQLite::Statement q(tx.db(), "SELECT id, name, reasoning, enabled, provisioned FROM models WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  auto m = read_model(q);
  load_targets(tx, m);
  return m;
}

std::optional<ModelRow> find_model_by_id(Tx& tx, core::ModelId id) {
  SQLite::Statement q(tx.db(), "SELECT id, name, reasoning, enabled, provisioned FROM models WHERE id = ?");
  q.bind(1, id.value);
  if (!q.executeStep()) return std::nullopt;
  auto m = read_model(q);
  load_targets(tx, m);
  return m;
}

void rename_model(Tx& tx, core::ModelId id, const std::string& name, std::int64_t now) {
  SQLite::Statement q(tx.db(), "UPDATE models SET name = ?, updated_at = ? WHERE id = ?");
  q.bind(1, name);
  q.bind(2, now);
  q.bind(3, id.value);
  q.exec();
}

bool delete_model(Tx& tx, core::ModelId id) {
  SQLite::Statement t(tx.db(), "DELETE FROM model_targets WHERE model_id = ?");
  t.bind(1, id.value);
  t.exec();
  SQLite::Statement q(tx.db(), "DELETE FROM models WHERE id = ?");
  q.bind(1, id.value);
  return q.exec() == 1;
}

}  // namespace airlock::store::catalog
