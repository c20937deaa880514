// GET /keys, POST /keys, POST /keys/{key_id}/limits, /rotate, /end-grace and /revoke.
#include <charconv>
#include <sstream>

#include "console/gateway_pages.h"
#include "core/bytes.h"
#include "core/log.h"
#include "gateway/key_rotation.h"

namespace airlock::console {
namespace {

std::string when(const std::optional<std::int64_t>& t) {
  return t ? core::format_time_display(core::Clock::SystemTime(std::chrono::seconds(*t))) : "—";
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) {
    auto b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

// "" → none; else a whole number in [min, 10^12]; `*bad` names the field otherwise.
std::optional<std::int64_t> number(const http::Request& req, const char* field, std::int64_t min, std::string* bad) {
  auto text = req.form_field(field);
  if (text.empty()) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > 1'000'000'000'000) {
    if (bad->empty()) *bad = std::string(field) + " must be a whole number of at least " + std::to_string(min) + ".";
    return std::nullopt;
  }
  return v;
}

std::string limit_text(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; }

// The guardrail choices for a key: inherit the organisation's policy, or one action both ways; a
// per-direction override set through the API or CLI shows as itself.
nlohmann::json guardrail_options(const std::string& current) {
  auto out = nlohmann::json::array();
  std::string cur = current.empty() ? "inherit" : current;
  bool listed = false;
  for (const char* v : {"inherit", "off", "monitor", "mask", "block"}) {
    out.push_back({{"value", v}, {"label", std::string(v) == "inherit" ? "organisation policy" : v}, {"selected", cur == v}});
    listed = listed || cur == v;
  }
  if (!listed) out.push_back({{"value", cur}, {"label", cur}, {"selected", true}});
  return out;
}

http::Response page(Deps& d, const guard::Principal& who, int status, const std::string& error, const std::string& notice) {
  bool editor = identity::role_at_least(who.user.role, identity::Role::kEditor);
  bool admin = identity::role_at_least(who.user.role, identity::Role::kAdmin);
  auto now = d.gateway.deps().now_s();
  auto keys = gateway::list_keys(d.gateway.deps(), false);
  auto max_age = gateway::key_max_age_days(d.gateway.deps());
  if (!keys || !max_age) return unreadable_page(d, who);
  auto rows = nlohmann::json::array();
  int due = 0;
  for (const auto& k : *keys) {
    bool expired = k.expires_at && *k.expires_at <= now;
    std::string models;
    for (const auto& m : k.allowed_models) models += (models.empty() ? "" : ", ") + m;
    std::string scopes;
    for (const auto& s : k.scopes) scopes += (scopes.empty() ? "" : ", ") + s;
    rows.push_back({{"id", k.id.str()}, {"prefix", "alk_" + k.public_id + "_…"}, {"name", k.name},
                    {"models", models.empty() ? "all" : models}, {"scopes", scopes},
                    {"status", !k.enabled ? "disabled" : expired ? "expired" : "active"}, {"active", k.enabled && !expired},
                    {"rpm", limit_text(k.limits.rpm)}, {"tpm", limit_text(k.limits.tpm)},
                    {"monthly_requests", limit_text(k.limits.monthly_requests)},
                    {"monthly_tokens", limit_text(k.limits.monthly_tokens)}, {"max_tokens", limit_text(k.limits.max_tokens_cap)},
                    {"enabled", k.enabled}, {"expires", when(k.expires_at)}, {"last_used", when(k.last_used_at)},
                    {"last_ip", k.last_used_ip}, {"has_last_ip", !k.last_used_ip.empty()}, {"editor", editor}, {"csrf", who.session.csrf_token},
                    {"guardrails", k.guardrails.empty() ? "organisation policy" : k.guardrails},
                    {"guardrail_options", guardrail_options(k.guardrails)}, {"admin", admin},
                    {"secret_issued", when(k.secret_created_at)}, {"rotation_due", gateway::rotation_due(k, *max_age, now)},
                    {"in_grace", gateway::in_grace(k, now)}, {"grace_until", when(k.prev_valid_until)}});
    due += rows.back()["rotation_due"].get<bool>() ? 1 : 0;
  }
  nlohmann::json data = {{"keys", rows}, {"has_keys", !rows.empty()}, {"editor", editor}, {"admin", admin},
                         {"csrf", who.session.csrf_token}, {"guardrail_options", guardrail_options("")},
                         {"max_age_days", max_age->value_or(0)}, {"has_max_age", max_age->has_value()}, {"due", due},
                         {"any_due", due > 0}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "keys", data, {.title = "Gateway keys", .who = &who, .notice = notice, .active_nav = "keys"});
}


}  // namespace

http::Response keys_view(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto done = req.query_param("done");
  std::string notice = done == "revoked"      ? "Key revoked: it fails from the next request on."
                       : done == "saved"      ? "Limits saved."
                       : done == "grace_ended" ? "The old secret no longer works."
                                              : "";
  return page(d, ctx.who(), 200, "", notice);
}

http::Response keys_create(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  gateway::KeySpec spec;
  spec.name = req.form_field("name");
  spec.owner = ctx.who().user.id;
  spec.allowed_models = split(req.form_field("models"));
  spec.ip_allowlist = split(req.form_field("ip_allowlist"));
  spec.scopes.clear();
  for (const auto& s : gateway::kAllScopes)
    if (req.form_field("scope_" + s) == "on") spec.scopes.push_back(s);
  std::string bad;
  spec.limits = {number(req, "rpm", 1, &bad), number(req, "tpm", 1, &bad), number(req, "monthly_requests", 1, &bad),
                 number(req, "monthly_tokens", 1, &bad), number(req, "max_tokens", 1, &bad)};
  if (auto days = number(req, "expires_in_days", 1, &bad)) spec.expires_in_s = *days * 86400;
  if (identity::role_at_least(ctx.who().user.role, identity::Role::kAdmin)) spec.guardrails = req.form_field("guardrails");
  if (!bad.empty()) return page(d, ctx.who(), 422, bad, "");
  auto made = gateway::create_key(d.gateway.deps(), spec, actor_of(ctx.who(), req));
  if (!made) {
    int status = api::status_for(made.status().code());
    if (status == 500) return d.render.message(500, "Something went wrong", "The key was not created.", {.title = "Error", .who = &ctx.who()}, req.request_id);
    return page(d, ctx.who(), status, made.status().message(), "");
  }
  auto r = d.render.page(200, "key_created", {{"key", made->key}, {"name", spec.name}},
                         {.title = "New gateway key", .who = &ctx.who(), .active_nav = "keys"});
  core::secure_zero(made->key.data(), made->key.size());
  return r;
}

http::Response keys_update(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id) return d.render.message(404, "No such key", "", {.title = "Keys", .who = &ctx.who()}, req.request_id);
  gateway::KeyUpdate u;
  std::string bad;
  // An empty field removes that limit (0 in the service's terms).
  auto field = [&](const char* name) { return number(req, name, 1, &bad).value_or(0); };
  u.rpm = field("rpm");
  u.tpm = field("tpm");
  u.monthly_requests = field("monthly_requests");
  u.monthly_tokens = field("monthly_tokens");
  u.max_tokens_cap = field("max_tokens");
  u.enabled = req.form_field("enabled") == "on";
  // Only an admin's form carries the guardrail select; an editor's leaves the override as it is.
  if (identity::role_at_least(ctx.who().user.role, identity::Role::kAdmin)) u.guardrails = req.form_field("guardrails");
  if (!bad.empty()) return page(d, ctx.who(), 422, bad, "");
  auto after = gateway::update_key(d.gateway.deps(), *id, u, actor_of(ctx.who(), req));
  if (!after) {
    int status = api::status_for(after.status().code());
    if (status == 500) return d.render.message(500, "Something went wrong", "Nothing was changed.",
                                               {.title = "Error", .who = &ctx.who()}, req.request_id);
    return page(d, ctx.who(), status, after.status().message(), "");
  }
  return redirect("/keys?done=saved");
}

// The grace choices on the page; the API and CLI take any number of seconds up to 30 days.
std::optional<std::int64_t> grace_choice(const std::string& v) {
  if (v == "0") return 0;
  if (v == "3600") return 3600;
  if (v == "86400") return 86400;
  if (v == "604800") return 604800;
  return std::nullopt;
}

http::Response keys_rotate(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  auto grace = grace_choice(req.form_field("grace"));
  if (!grace) return page(d, ctx.who(), 422, "Choose how long the old secret keeps working.", "");
  auto made = id ? gateway::rotate_key(d.gateway.deps(), *id, *grace, actor_of(ctx.who(), req))
                 : core::Result<gateway::RotatedKey>(core::Status::error("not_found", "No such key."));
  if (!made) {
    int status = api::status_for(made.status().code());
    if (status == 500) return d.render.message(500, "Something went wrong", "The key was not rotated.", {.title = "Error", .who = &ctx.who()}, req.request_id);
    return page(d, ctx.who(), status, made.status().message(), "");
  }
  std::string name;
  if (auto keys = gateway::list_keys(d.gateway.deps(), false))
    for (const auto& k : *keys)
      if (k.id == *id) name = k.name;
  nlohmann::json data = {{"key", made->key}, {"name", name}, {"rotated", true},
                         {"old_until", made->previous_valid_until ? when(made->previous_valid_until) : ""},
                         {"has_grace", made->previous_valid_until.has_value()}};
  auto r = d.render.page(200, "key_created", data, {.title = "New secret", .who = &ctx.who(), .active_nav = "keys"});
  core::secure_zero(made->key.data(), made->key.size());
  return r;
}

http::Response keys_end_grace(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id || !gateway::end_grace(d.gateway.deps(), *id, actor_of(ctx.who(), req)))
    return d.render.message(404, "No old secret", "This key has no old secret in its grace period.", {.title = "Keys", .who = &ctx.who()},
                            req.request_id, "/keys", "Back to the keys");
  return redirect("/keys?done=grace_ended");
}

http::Response keys_revoke(Deps& d, const guard::EditorCtx& ctx, http::Request& req) {
  auto id = api::path_id<core::KeyId>(req, "key_id");
  if (!id || !gateway::revoke_key(d.gateway.deps(), *id, actor_of(ctx.who(), req)))
    return d.render.message(404, "No such key", "It may have been revoked already.", {.title = "Keys", .who = &ctx.who()},
                            req.request_id, "/keys", "Back to the keys");
  return redirect("/keys?done=revoked");
}

}  // namespace airlock::console
