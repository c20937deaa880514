#pragma once
// Reading the audit trail for the viewer page and GET /api/v1/audit: newest first, filtered,
// paginated by id (stable under concurrent appends, unlike OFFSET).
#include <optional>
#include <string>
#include <vector>

#include "store/tx.h"

namespace airlock::audit {

struct Row {
  std::int64_t id = 0;
  std::string at;
  std::string action;
  std::string outcome;
  std::optional<std::int64_t> actor_user_id;
  std::string actor;
  std::string target;
  std::string ip;
  std::string user_agent;
  std::string request_id;
  std::string details_json;
};

struct Filter {
  std::string action;         // exact, or a prefix ending in '.' ("login." matches "login.mfa")
  std::string outcome;        // success | failure | denied
  std::string actor;          // exact e-mail / "cli" / "system"
  std::optional<std::int64_t> before_id;  // page: rows with id < before_id
  int limit = 50;             // 1..200
};

std::vector<Row> query(store::Tx& tx, const Filter& f);

// For the syslog forwarder: rows with id > after_id, oldest first, at most `limit` (1..1000);
// an indexed range scan of the primary key.
std::vector<Row> rows_after(store::Tx& tx, std::int64_t after_id, int limit);
// The newest id, 0 for an empty trail.
std::int64_t max_id(store::Tx& tx);

}  // namespace airlock::audit
