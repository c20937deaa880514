#pragma once
// Where the database key and the field-encryption master key come from, and the file-permission
// rules around them. The two keys are kept apart on purpose: a stolen DB key file alone does not
// open the encrypted fields inside the database.
//
// Lookup order, first found wins (README "Keys"):
//   DB key:     AIRLOCK_DB_KEY_FILE, $CREDENTIALS_DIRECTORY/db-key, AIRLOCK_DB_KEY, <data>/db.key,
//               else (first start only, no database yet) a new random key written to <data>/db.key.
//   master key: AIRLOCK_MASTER_KEY_FILE, $CREDENTIALS_DIRECTORY/master-key, AIRLOCK_MASTER_KEY,
//               <data>/master.key, else (first start only) a new one written to <data>/master.key.
#include <string>

#include "core/bytes.h"
#include "core/config.h"
#include "core/random.h"
#include "core/result.h"

namespace airlock::store {

struct KeyMaterial {
  // What SQLCipher gets: "x'<64 hex>'" for a raw 256-bit key (no passphrase KDF), else the passphrase.
  core::SecretBytes db_key;
  bool db_key_raw = false;
  std::string db_key_source;  // for logs: "AIRLOCK_DB_KEY_FILE", "credential db-key", ... never the key
  bool db_key_generated = false;
  core::SecretBytes master_key;  // always 32 bytes
  std::string master_key_source;
  bool master_key_generated = false;
};

// Creates the data dir (0700) if needed and refuses one that others can read or write.
core::Status prepare_data_dir(const std::string& dir);

// Refuses a file (key, database) whose mode grants any access to group or others.
core::Status check_private_file(const std::string& path, const std::string& what);

// `database_exists` decides whether generating keys is allowed: a missing key for an existing
// database is an error, never a silent new key.
core::Result<KeyMaterial> load_key_material(const core::Config& config, bool database_exists, core::Random& random);

}  // namespace airlock::store
