// GET /audit (page) and GET /api/v1/audit (JSON): the audit trail for admins and owners.
#include "audit/audit_query.h"
#include "console/api.h"
#include "console/console.h"
#include "http/errors.h"
#include "http/form.h"

namespace airlock::console {
namespace {

struct Parsed {
  audit::Filter filter;
  bool ok = true;
};

Parsed parse_filter(const http::Request& req) {
  Parsed p;
  auto* form = req.query();
  if (!form) {
    p.ok = false;
    return p;
  }
  auto get = [&](const char* k) {
    auto it = form->find(k);
    return it == form->end() ? std::string() : it->second;
  };
  p.filter.action = get("action").substr(0, 64);
  p.filter.outcome = get("outcome");
  p.filter.actor = get("actor").substr(0, 254);
  if (!p.filter.outcome.empty() && p.filter.outcome != "success" && p.filter.outcome != "failure" &&
      p.filter.outcome != "denied")
    p.ok = false;
  if (auto b = get("before"); !b.empty()) {
    auto id = core::Id<struct AuditTag>::parse(b);
    if (!id) p.ok = false;
    else p.filter.before_id = id->value;
  }
  if (auto l = get("limit"); !l.empty()) {
    auto n = core::Id<struct LimitTag>::parse(l);
    if (!n || n->value > 200) p.ok = false;
    else p.filter.limit = static_cast<int>(n->value);
  }
  return p;
}

core::Result<std::vector<audit::Row>> load(Deps& d, const audit::Filter& f) {
  return d.identity.db.fetch([&](store::Tx& tx) { return audit::query(tx, f); });
}

std::string next_query(const audit::Filter& f, const std::vector<audit::Row>& rows) {
  if (static_cast<int>(rows.size()) < f.limit || rows.empty()) return {};
  return "action=" + http::url_encode(f.action) + "&outcome=" + http::url_encode(f.outcome) +
         "&actor=" + http::url_encode(f.actor) + "&before=" + std::to_string(rows.back().id);
}

}  // namespace

http::Response audit_view(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto p = parse_filter(req);
  if (!p.ok) return d.render.message(400, "Bad filter", "The filter could not be read.", {.title = "Audit", .who = &ctx.who()}, req.request_id);
  auto read = load(d, p.filter);
  if (!read) return unreadable_page(d, ctx.who(), req.request_id);
  const auto& rows = *read;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : rows)
    list.push_back({{"at", r.at.substr(0, 10) + " " + r.at.substr(11, 8)}, {"action", r.action}, {"outcome", r.outcome}, {"actor", r.actor},
                    {"target", r.target}, {"ip", r.ip}, {"details", r.details_json == "{}" ? "" : r.details_json}});
  nlohmann::json outcomes = nlohmann::json::array();
  for (const char* o : {"success", "failure", "denied"})
    outcomes.push_back({{"value", o}, {"selected", p.filter.outcome == o}});
  nlohmann::json data = {{"rows", list}, {"action", p.filter.action}, {"actor", p.filter.actor}, {"outcomes", outcomes}};
  if (auto next = next_query(p.filter, rows); !next.empty()) data["next"] = "/audit?" + next;
  return d.render.page(200, "audit", data, {.title = "Audit log", .who = &ctx.who(), .active_nav = "audit"});
}

http::Response audit_api(Deps& d, const guard::AdminCtx&, http::Request& req) {
  auto p = parse_filter(req);
  if (!p.ok) return http::error_response(400, "invalid_filter", "Query parameters: action, outcome (success|failure|denied), actor, before (id), limit (1-200).", req.request_id);
  auto read = load(d, p.filter);
  if (!read) return api::error(read.status(), req);
  const auto& rows = *read;
  nlohmann::json data = nlohmann::json::array();
  for (const auto& r : rows) {
    auto details = nlohmann::json::parse(r.details_json, nullptr, false);
    data.push_back({{"id", r.id}, {"at", r.at}, {"action", r.action}, {"outcome", r.outcome},
                    {"actor_user_id", r.actor_user_id ? nlohmann::json(*r.actor_user_id) : nlohmann::json(nullptr)},
                    {"actor", r.actor}, {"target", r.target}, {"ip", r.ip}, {"user_agent", r.user_agent},
                    {"request_id", r.request_id}, {"details", details.is_discarded() ? nlohmann::json::object() : details}});
  }
  nlohmann::json body = {{"data", data},
                         {"next_before", static_cast<int>(rows.size()) == p.filter.limit && !rows.empty()
                                             ? nlohmann::json(rows.back().id) : nlohmann::json(nullptr)}};
  http::Response r;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace airlock::console
