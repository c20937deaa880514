// GET /api/v1/waf/blocks (admins): the keys and addresses the WAF is refusing now; POST
// /api/v1/waf/lift (admins) ends one early ({"subject": "key:12"} or "ip:203.0.113.9"), audited.
// The console's Settings page lists the same blocks with a Lift button (waf_page.cpp).
#include "console/api.h"
#include "console/gateway_pages.h"
#include "core/log.h"
#include "gateway/actor_event.h"
#include "http/errors.h"
#include "http/json_body.h"

namespace airlock::console {

nlohmann::json waf_blocks_json(Deps& d) {
  auto list = nlohmann::json::array();
  for (const auto& b : d.gateway.waf().blocks())
    list.push_back({{"subject", b.subject}, {"until", api::time_json(b.until_s)}, {"violations", b.violations}});
  return list;
}

http::Response api_waf_blocks(Deps& d, const guard::AdminCtx&, http::Request&) {
  return http::json_response(200, {{"data", waf_blocks_json(d)}});
}

core::Status lift_waf_block(Deps& d, const guard::Principal& who, const http::Request& req, const std::string& subject) {
  if (!d.gateway.waf().lift(subject)) return core::Status::error("not_found", "No such block, or it has ended.");
  auto e = gateway::actor_event("waf.lift", actor_of(who, req), subject);
  return d.gateway.deps().db.write([&](store::Tx& tx) {
    audit::append(tx, e, core::format_time_utc(d.gateway.deps().clock.system_now()));
    return core::Status::ok();
  });
}

http::Response api_waf_lift(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto subject = body.string("subject", 100);
  if (!subject) body.missing("subject");
  if (auto bad = body.refusal(req)) return *bad;
  if (auto s = lift_waf_block(d, ctx.who(), req, *subject); !s) return api::error(s, req);
  return http::json_response(200, {{"data", waf_blocks_json(d)}});
}

http::Response waf_lift(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto s = lift_waf_block(d, ctx.who(), req, req.form_field("subject"));
  if (!s && s.code() != "not_found") return settings_page(d, ctx.who(), req, 500, "The block could not be lifted.");
  return redirect("/settings?saved=1#waf");
}

}  // namespace airlock::console
