#pragma once
// Gateway keys by public id, as the request path reads them: a row is loaded once and used until a
// commit changes the gateway_keys table (store/change_counters.h; the writer of any process bumps
// the counter, `airlock key revoke` included), so revocation, disabling and limit changes hold
// from the very next request without a statement per request. Unknown ids are remembered too, so
// a flood of made-up keys costs no statements either; a key created later bumps the counter.
// Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "store/database.h"
#include "store/gateway_keys_repo.h"

namespace airlock::gateway {

class KeyCache {
 public:
  explicit KeyCache(store::Database& db) : db_(db) {}
  // nullopt: no key has this public id.
  core::Result<std::optional<store::GatewayKeyRow>> find(const std::string& public_id);

 private:
  struct Entry {
    std::uint64_t version;
    std::optional<store::GatewayKeyRow> row;
  };
  static constexpr std::size_t kMaxEntries = 20000;  // then start over: bounded memory, whatever is sent
  store::Database& db_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace airlock::gateway
