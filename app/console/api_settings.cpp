// GET /api/v1/settings (admins read) and PATCH /api/v1/settings (owner): the security policy.
// Only require_mfa and key_max_age_days (gateway-key rotation) are changed here; the rest is
// configuration (AIRLOCK_*), shown so an admin can see what is in force without shell access, and
// changed by the operator with a restart.
#include "console/gateway_pages.h"
#include "http/json_body.h"
#include "gateway/key_rotation.h"
#include "identity/mfa.h"

namespace airlock::console {

nlohmann::json security_settings(Deps& d) {
  const auto& p = d.identity.policies;
  auto limit = [](const guard::SlidingWindowLimiter& l) {
    return nlohmann::json{{"limit", l.options().limit}, {"window_seconds", l.options().window.count()}};
  };
  // require_mfa is the owner's choice for editors and viewers; owners and admins always need MFA.
  auto max_age = gateway::key_max_age_days(d.gateway.deps());
  auto max_age_json = max_age && *max_age ? nlohmann::json(**max_age) : nlohmann::json(nullptr);
  return {{"require_mfa", identity::mfa_required(d.identity)},
          {"key_max_age_days", max_age_json},
          {"mfa_always_required_for", nlohmann::json::array({"owner", "admin"})},
          {"configuration",
           {{"password_hashing", {{"algorithm", "argon2id"},
                                  {"memory_kib", p.argon2.memory_kib},
                                  {"iterations", p.argon2.iterations},
                                  {"parallelism", p.argon2.parallelism}}},
            {"lockout", {{"failures", p.lockout_failures},
                         {"window_seconds", p.lockout_window.count()},
                         {"duration_seconds", p.lockout_duration.count()}}},
            {"sessions", {{"idle_timeout_seconds", p.session_idle.count()},
                          {"absolute_timeout_seconds", p.session_absolute.count()}}},
            {"links", {{"setup_lifetime_seconds", p.setup_token_lifetime.count()},
                       {"invite_lifetime_seconds", p.invite_lifetime.count()}}},
            {"rate_limits", {{"login", limit(d.login_limit)},
                             {"setup_and_invite", limit(d.setup_limit)},
                             {"csp_reports", limit(d.report_limit)}}}}}};
}

http::Response api_settings(Deps& d, const guard::AdminCtx&, http::Request&) {
  return http::json_response(200, security_settings(d));
}

http::Response api_settings_update(Deps& d, const guard::OwnerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto require = body.boolean("require_mfa");
  auto max_age = body.integer("key_max_age_days", 0, gateway::kMaxKeyAgeDays);  // 0: no policy
  if (!require && !max_age) body.missing("require_mfa");
  if (auto bad = body.refusal(req)) return *bad;
  if (require) {
    auto s = identity::set_mfa_required(d.identity, *require, ctx.who().user.id, ctx.who().user.email, origin_of(req));
    if (!s) return api::error(s, req);
  }
  if (max_age)
    if (auto s = gateway::set_key_max_age_days(d.gateway.deps(), *max_age, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return http::json_response(200, security_settings(d));
}

}  // namespace airlock::console
