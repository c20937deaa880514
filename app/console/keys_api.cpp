// /api/v1/keys: gateway keys as JSON. Creating one or rotating its secret needs the signed-in
// session (a token cannot mint key secrets); changing limits, ending a grace and revoking work
// with a read_write token too.
#include "console/gateway_pages.h"
#include "core/bytes.h"
#include "gateway/key_rotation.h"
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

// The key as the API shows it, with the rotation policy in force; nullopt when the store fails.
std::optional<nlohmann::json> shown(Deps& d, const store::GatewayKeyRow& k) {
  auto max_age = gateway::key_max_age_days(d.gateway.deps());
  if (!max_age) return std::nullopt;
  return key_json(k, d.gateway.deps().now_s(), *max_age);
}

// The live key `id` as shown, re-read after a change; nullopt when it cannot be read.
std::optional<nlohmann::json> reread(Deps& d, core::KeyId id) {
  auto keys = gateway::list_keys(d.gateway.deps(), false);
  if (!keys) return std::nullopt;
  for (const auto& k : *keys)
    if (k.id == id) return shown(d, k);
  return std::nullopt;
}

}  // namespace

http::Response api_keys(Deps& d, const guard::ViewerCtx&, http::Request& req) {
  bool all = req.query_param("revoked") == "true";
  auto keys = gateway::list_keys(d.gateway.deps(), all);
  if (!keys) return api::error(keys.status(), req);
  auto max_age = gateway::key_max_age_days(d.gateway.deps());
  if (!max_age) return api::error(max_age.status(), req);
  auto now = d.gateway.deps().now_s();
  auto list = nlohmann::json::array();
  for (const auto& k : *keys) list.push_back(key_json(k, now, *max_age));
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
  if (auto v = body.string_list("scopes", 5, 20)) spec.scopes = *v;
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
  if (auto again = reread(d, made->id)) out = *again;
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
  u.scopes = body.string_list("scopes", 5, 20);
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
  auto out = shown(d, *after);
  if (!out) return api::error(core::Status::error("store_error", "The key was saved but could not be read back."), req);
  return http::json_response(200, *out);
}

// POST /api/v1/keys/{key_id}/rotate {"grace_seconds": 0..2592000}: a new secret, shown once.
http::Response api_key_rotate(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id) return http::error_response(404, "not_found", "No such key.", req.request_id);
  std::int64_t grace = 0;
  if (!req.body.empty()) {
    auto parsed = http::JsonBody::read(req);
    if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
    auto& body = std::get<http::JsonBody>(parsed);
    auto g = body.integer("grace_seconds", 0, gateway::kMaxGraceSeconds);
    if (auto bad = body.refusal(req)) return *bad;
    grace = g.value_or(0);
  }
  auto made = gateway::rotate_key(d.gateway.deps(), *id, grace, actor_of(ctx.who(), req));
  if (!made) return api::error(made.status(), req);
  nlohmann::json out = {{"id", id->value}};
  if (auto again = reread(d, *id)) out = *again;
  out["key"] = made->key;  // the only time this secret is ever shown
  core::secure_zero(made->key.data(), made->key.size());
  return http::json_response(200, out);
}

// POST /api/v1/keys/{key_id}/end-grace: the replaced secret stops working now.
http::Response api_key_end_grace(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id) return http::error_response(404, "not_found", "No such key.", req.request_id);
  if (auto s = gateway::end_grace(d.gateway.deps(), *id, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return api::no_content();
}

http::Response api_key_revoke(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id) return http::error_response(404, "not_found", "No such key.", req.request_id);
  if (auto s = gateway::revoke_key(d.gateway.deps(), *id, actor_of(ctx.who(), req)); !s) return api::error(s, req);
  return api::no_content();
}

}  // namespace airlock::console
