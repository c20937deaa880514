// GET /api/v1/guardrails (admins) and PUT /api/v1/guardrails (owners, console session with a
// recent step-up): the organisation's guardrail policy in its JSON form (guardrails/policy.h).
#include "console/api.h"
#include "console/gateway_pages.h"
#include "gateway/guardrails_settings.h"
#include "http/errors.h"
#include "http/json_body.h"

namespace airlock::console {

nlohmann::json guardrails_json(const gateway::GuardrailsState& s) {
  return {{"policy", guardrails::write_policy(s.policy)}, {"provisioned", s.provisioned}};
}

namespace {
http::Response current(Deps& d, const http::Request& req) {
  auto s = gateway::read_guardrails(d.gateway.deps());
  if (!s) return api::error(s.status(), req);
  return http::json_response(200, guardrails_json(*s));
}
}  // namespace

http::Response api_guardrails(Deps& d, const guard::AdminCtx&, http::Request& req) { return current(d, req); }

http::Response api_guardrails_update(Deps& d, const guard::OwnerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto read = guardrails::read_policy(std::get<http::JsonBody>(parsed).raw());
  if (auto* bad = std::get_if<guardrails::PolicyProblem>(&read))
    return http::error_response(422, "guardrails_invalid", bad->message, req.request_id, {{"field", bad->field}});
  auto saved = gateway::save_guardrails(d.gateway.deps(), std::get<guardrails::Policy>(read), actor_of(ctx.who(), req));
  if (!saved) {
    if (saved.code() == "guardrails_invalid") {
      auto colon = saved.message().find(": ");
      return http::error_response(422, "guardrails_invalid", saved.message().substr(colon + 2), req.request_id,
                                  {{"field", saved.message().substr(0, colon)}});
    }
    return api::error(saved, req);
  }
  return current(d, req);
}

}  // namespace airlock::console
