#pragma once
#include "http/router.h"
#include "store/database.h"

namespace airlock::http {

// GET /healthz: the process is up and serving (no database access).
// GET /readyz:  the database is writable and its schema is at head.
// Both are public and say nothing about internals in their bodies.
void add_health_routes(Router& router, store::Database& db);

}  // namespace airlock::http
