#pragma once
// response_ids: which gateway key created a stored Responses API response, on which provider.
#include <cstdint>
#include <optional>
#include <string>

#include "store/tx.h"

namespace airlock::store {

struct ResponseOwner {
  std::string id;
  std::int64_t key_id = 0;
  std::int64_t provider_id = 0;
  std::string model;           // the public model name the key asked for
  std::string upstream_model;  // what the provider calls it
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

namespace response_ids {

void put(Tx& tx, const ResponseOwner& o);
// The owner while it has not expired at `now`.
std::optional<ResponseOwner> find(Tx& tx, const std::string& id, std::int64_t now);
void remove(Tx& tx, const std::string& id);
int remove_expired(Tx& tx, std::int64_t now);

}  // namespace response_ids
}  // namespace airlock::store
