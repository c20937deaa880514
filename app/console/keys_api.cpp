// /api/v1/keys: gateway keys as JSON. Creating one needs the signed-in session (a token cannot
// mint keys); changing limits and revoking work with a read_write token too.
#include "console/gateway_pages.h"
#include "core/bytes.h"
#include "http/errors.h"
#include "http/json_body.h"

namespace airlock::console {
namespace {

// A key's guardrail override can loosen what the owners set for everyone: admins and owners only.
std::optional<http::Response> override_refused(const guard::Principal& who, const std::optional<std::string>& text,
                                               const http::Request& req) {
  if (!text || identity::role_at_least(who.user.role, identity::Role::kAdmin)) return std::nullopt;
  return http::error_response(403, "admin_only", "Only admins and owners set a key's guardrails.", req.request_id);
}

}  // namespace

http::Response api_keys(Deps& d, const guard::ViewerCtx&, http::Request& req) {
  bool all = req.query_param("revoked") == "true";
  auto keys = gateway::list_keys(d.gateway.deps(), all);
  if (!keys) return api::error(keys.status(), req);
  auto list = nlohmann::json::array();
  for (const auto& k : *keys) list.push_back(key_json(k));
  return http::json_response(200, {{"data", list}});
}

http::Response api_key_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  gateway::KeySpec spec;
  spec.owner = ctx.who().user.id;
  auto name = body.string("name", 100);
  if (!name) body.missing("name");
  if (auto v = body.string_list("models")) spec.allowed_models = *v;
  if (auto v = body.string_list("scopes", 4, 20)) spec.scopes = *v;
  if (auto v = body.string_list("ip_allowlist", 100, 50)) spec.ip_allowlist = *v;
  constexpr std::int64_t kMax = 1'000'000'000'000;
  spec.limits = {body.integer("rpm", 1, kMax), body.integer("tpm", 1, kMax), body.integer("monthly_requests", 1, kMax),
                 body.integer("monthly_tokens", 1, kMax), body.integer("max_tokens", 1, kMax)};
  auto days = body.integer("expires_in_days", 0, 3650);
  if (!days) body.missing("expires_in_days");
  auto guardrails = body.string("guardrails", 64);
  if (auto bad = body.refusal(req)) return *bad;
  if (auto no = override_refused(ctx.who(), guardrails, req)) return *no;
  spec.guardrails = guardrails.value_or("");
  spec.name = *name;
  if (*days > 0) spec.expires_in_s = *days * 86400;
  auto made = gateway::create_key(d.gateway.deps(), spec, actor_of(ctx.who(), req));
  if (!made) return api::error(made.status(), req);
  nlohmann::json out = {{"id", made->id.value}};
  // The key exists now: a failed re-read still answers with its id and secret, which are never shown again.
  if (auto keys = gateway::list_keys(d.gateway.deps(), false))
    for (const auto& k : *keys)
      if (k.id == made->id) out = key_json(k);
  out["key"] = made->key;  // the only time it is ever shown
  core::secure_zero(made->key.data(), made->key.size());
  return http::json_response(201, out);
}

http::Response api_key_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id) return http::error_response(404, "not_found", "No such key.", req.request_id);
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  gateway::KeyUpdate u;
  u.name = body.string("name", 100);
  u.allowed_models = body.string_list("models");
  u.scopes = body.string_list("scopes", 4, 20);
  u.ip_allowlist = body.string_list("ip_allowlist", 100, 50);
  constexpr std::int64_t kMax = 1'000'000'000'000;  // 0 removes a limit
  u.rpm = body.integer("rpm", 0, kMax);
  u.tpm = body.integer("tpm", 0, kMax);
  u.monthly_requests = body.integer("monthly_requests", 0, kMax);
  u.monthly_tokens = body.integer("monthly_tokens", 0, kMax);
  u.max_tokens_cap = body.integer("max_tokens", 0, kMax);
  u.enabled = body.boolean("enabled");
  u.guardrails = body.string("guardrails", 64);
  if (auto bad = body.refusal(req)) return *bad;
  if (auto no = override_refused(ctx.who(), u.guardrails, req)) return *no;
  auto after = gateway::update_key(d.gateway.deps(), *id, u, actor_of(ctx.who(), req));
  if (!after) return api::error(after.status(), req);
  return http::json_response(200, key_json(*after));
}

http::Response api_key_revoke(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id) return http::error_response(404, "not_found", "No such key.", req.request_id);
  if (auto s = gateway::revoke_key(d.gateway.deps(), *id, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return api::no_content();
}

}  // namespace airlock::console
