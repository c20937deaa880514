#include "console/gateway_pages.h"
#include "gateway/key_rotation.h"


namespace airlock::console {

gateway::Actor actor_of(const guard::Principal& who, const http::Request& req) {
  return {who.user.id, who.user.email, req.client_ip, req.request_id};
}

nlohmann::json key_json(const store::GatewayKeyRow& k, std::int64_t now, std::optional<std::int64_t> max_age_days) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"id", k.id.value},
          {"prefix", "alk_" + k.public_id},
          {"name", k.name},
          {"owner_user_id", k.owner ? nlohmann::json(k.owner->value) : nlohmann::json(nullptr)},
          {"models", k.allowed_models},
          {"scopes", k.scopes},
          {"ip_allowlist", k.ip_allowlist},
          {"limits",
           {{"rpm", opt(k.limits.rpm)},
            {"tpm", opt(k.limits.tpm)},
            {"monthly_requests", opt(k.limits.monthly_requests)},
            {"monthly_tokens", opt(k.limits.monthly_tokens)},
            {"max_tokens", opt(k.limits.max_tokens_cap)}}},
          {"enabled", k.enabled},
          {"guardrails", k.guardrails.empty() ? "inherit" : k.guardrails},
          {"created_at", api::time_json(k.created_at)},
          {"expires_at", api::time_json(k.expires_at)},
          {"revoked_at", api::time_json(k.revoked_at)},
          {"last_used_at", api::time_json(k.last_used_at)},
          {"last_used_ip", k.last_used_ip.empty() ? nlohmann::json(nullptr) : nlohmann::json(k.last_used_ip)},
          {"secret_created_at", api::time_json(k.secret_created_at)},
          {"previous_secret_valid_until", gateway::in_grace(k, now) ? api::time_json(k.prev_valid_until) : nlohmann::json(nullptr)},
          {"rotation_due", gateway::rotation_due(k, max_age_days, now)}};
}

}  // namespace airlock::console
