#include "cli/open_store.h"

#include <unistd.h>

#include "crypto/hkdf.h"
#include "store/instance.h"

namespace airlock::cli {

core::SecretBytes access_token_pepper(const core::SecretBytes& master_key) {
  return crypto::hkdf_sha256(crypto::byte_view("airlock/pepper/v1"), master_key.bytes(),
                             crypto::byte_view("airlock/pepper/access-token"), 32);
}

core::SecretBytes gateway_key_pepper(const core::SecretBytes& master_key) {
  return crypto::hkdf_sha256(crypto::byte_view("airlock/pepper/v1"), master_key.bytes(),
                             crypto::byte_view("airlock/pepper/gateway-key"), 32);
}

core::Result<OpenedStore> open_store(const core::Config& config, core::Random& random, const core::Clock& clock,
                                     bool may_create) {
  std::string db_path = config.data_dir + "/airlock.db";
  bool db_exists = ::access(db_path.c_str(), F_OK) == 0;
  if (!db_exists && !may_create)
    return core::Status::error("no_database", "no Airlock database in '" + config.data_dir +
                                                  "' (start `airlock serve` once, or set AIRLOCK_DATA_DIR)");
  if (auto s = store::prepare_data_dir(config.data_dir); !s) return s;
  if (db_exists) {
    if (auto s = store::check_private_file(db_path, "database file"); !s) return s;
  }
  auto keys = store::load_key_material(config, db_exists, random);
  if (!keys) return keys.status();

  store::DatabaseOptions dbo;
  dbo.readers = config.db_readers;
  dbo.busy_timeout_ms = config.db_busy_timeout_ms;
  auto db = store::Database::open(db_path, keys->db_key, dbo);
  if (!db) return db.status();
  OpenedStore out;
  out.db = std::move(*db);
  // Proves the master key: it must be the one this database's encrypted fields were written under.
  out.fields = std::make_unique<crypto::FieldCipher>(keys->master_key, random);
  out.token_pepper = access_token_pepper(keys->master_key);
  out.gateway_pepper = gateway_key_pepper(keys->master_key);
  auto instance = store::ensure_instance(*out.db, random, clock, out.fields->key_id());
  if (!instance) return instance.status();
  out.instance_id = *instance;
  out.db_key_source = keys->db_key_source;
  out.master_key_source = keys->master_key_source;
  out.generated_keys = keys->db_key_generated || keys->master_key_generated;
  return out;
}

}  // namespace airlock::cli
