#pragma once
// Opening the data dir the way every command does: permission checks, key material, the encrypted
// database, and the master key proven against it. `serve` may create a new data dir; host-side
// commands (user create-owner, ...) only open an existing one.
#include <memory>

#include "core/clock.h"
#include "core/config.h"
#include "core/random.h"
#include "core/result.h"
#include "crypto/field_cipher.h"
#include "store/database.h"
#include "store/key_material.h"

namespace airlock::cli {

struct OpenedStore {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<crypto::FieldCipher> fields;
  core::SecretBytes token_pepper;    // HKDF of the master key, purpose "access-token"
  core::SecretBytes gateway_pepper;  // HKDF of the master key, purpose "gateway-key"
  std::string instance_id;
  std::string db_key_source;
  std::string master_key_source;
  bool generated_keys = false;
};

// The HMAC key for stored access-token hashes: HKDF-SHA256(master, "airlock/pepper/access-token").
core::SecretBytes access_token_pepper(const core::SecretBytes& master_key);
// The HMAC key for stored gateway-key hashes: HKDF-SHA256(master, "airlock/pepper/gateway-key").
core::SecretBytes gateway_key_pepper(const core::SecretBytes& master_key);

core::Result<OpenedStore> open_store(const core::Config& config, core::Random& random, const core::Clock& clock,
                                     bool may_create);

}  // namespace airlock::cli
