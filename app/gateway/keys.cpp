#include "gateway/keys.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/cidr.h"
#include "core/log.h"
#include "gateway/actor_event.h"
#include "gateway/key_cache.h"
#include "gateway/key_format.h"
#include "guardrails/policy.h"

namespace airlock::gateway {
namespace {

core::Status validate(const KeySpec& s) {
  if (s.name.empty() || s.name.size() > 100)
    return core::Status::error("key_name_invalid", "Give the key a name of 1 to 100 characters.");
  if (s.scopes.empty()) return core::Status::error("key_scope_invalid", "A key needs at least one scope.");
  for (const auto& sc : s.scopes)
    if (std::find(kAllScopes.begin(), kAllScopes.end(), sc) == kAllScopes.end())
      return core::Status::error("key_scope_invalid", "Scopes are chat, completions, embeddings, models and responses.");
  for (const auto& c : s.ip_allowlist)
    if (!core::Cidr::parse(c)) return core::Status::error("key_cidr_invalid", "'" + c.substr(0, 64) + "' is not an IP network.");
  for (const auto& m : s.allowed_models)
    if (m.empty() || m.size() > 200) return core::Status::error("key_model_invalid", "Model names are 1 to 200 characters.");
  for (const auto& v : {s.limits.rpm, s.limits.tpm, s.limits.monthly_requests, s.limits.monthly_tokens, s.limits.max_tokens_cap})
    if (v && (*v < 1 || *v > 1'000'000'000'000))
      return core::Status::error("key_limit_invalid", "Limits are whole numbers from 1 to 10^12.");
  if (s.expires_in_s && (*s.expires_in_s < 60 || *s.expires_in_s > 10LL * 366 * 86400))
    return core::Status::error("key_expiry_invalid", "Expiry is between one minute and ten years.");
  if (std::holds_alternative<guardrails::PolicyProblem>(guardrails::read_key_override(s.guardrails)))
    return core::Status::error("key_guardrails_invalid",
                               "Guardrails: an action (off, monitor, mask, block), inherit, or requests=ACTION,responses=ACTION.");
  return core::Status::ok();
}

// The override as stored: one spelling per meaning ("" for inherit).
std::string normal_override(const std::string& text) {
  auto o = guardrails::read_key_override(text);
  auto* k = std::get_if<guardrails::KeyOverride>(&o);
  return k ? guardrails::write_key_override(*k) : "";
}

std::string audit_at(const Deps& deps) { return core::format_time_utc(deps.clock.system_now()); }

audit::Event event(const std::string& action, const Actor& a, core::KeyId id) {
  return actor_event(action, a, "gateway_key:" + id.str());
}

bool allowed_from(const store::GatewayKeyRow& k, const std::string& ip) {
  if (k.ip_allowlist.empty()) return true;
  auto addr = core::IpAddress::parse(ip);
  if (!addr) return false;
  for (const auto& text : k.ip_allowlist)
    if (auto c = core::Cidr::parse(text); c && c->contains(*addr)) return true;
  return false;
}

}  // namespace

core::Result<CreatedKey> create_key(Deps& deps, const KeySpec& spec, const Actor& actor) {
  if (auto s = validate(spec); !s) return s;
  if (deps.key_pepper.empty()) return core::Status::error("internal_error", "Gateway keys are not available.");
  auto made = new_gateway_key(deps.random);
  auto now = deps.now_s();
  store::GatewayKeyRow row;
  row.public_id = made.public_id;
  row.secret_hash = gateway_key_hash(deps.key_pepper, made.key);
  row.name = spec.name;
  row.owner = spec.owner;
  row.allowed_models = spec.allowed_models;
  row.scopes = spec.scopes;
  row.ip_allowlist = spec.ip_allowlist;
  row.limits = spec.limits;
  row.metadata_json = spec.metadata_json;
  row.guardrails = normal_override(spec.guardrails);
  if (spec.expires_in_s) row.expires_at = now + *spec.expires_in_s;
  CreatedKey out;
  auto s = deps.db.write([&](store::Tx& tx) {
    out.id = store::gateway_keys::insert(tx, row, now);
    auto e = event("gateway_key.create", actor, out.id);
    e.details_json = nlohmann::json{{"name", spec.name}, {"public_id", made.public_id}, {"models", spec.allowed_models},
                                    {"scopes", spec.scopes}, {"guardrails", row.guardrails}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    audit::append(tx, e, audit_at(deps));
    return core::Status::ok();
  });
  if (!s) {
    core::secure_zero(made.key.data(), made.key.size());
    return s;
  }
  out.key = std::move(made.key);
  out.public_id = made.public_id;
  return out;
}

core::Result<std::vector<store::GatewayKeyRow>> list_keys(Deps& deps, bool include_revoked) {
  return deps.db.fetch([&](store::Tx& tx) { return store::gateway_keys::list(tx, include_revoked); });
}

core::Status revoke_key(Deps& deps, core::KeyId id, const Actor& actor) {
  return deps.db.write([&](store::Tx& tx) {
    if (!store::gateway_keys::revoke(tx, id, deps.now_s())) return core::Status::error("not_found", "No such key, or it is revoked already.");
    audit::append(tx, event("gateway_key.revoke", actor, id), audit_at(deps));
    return core::Status::ok();
  });
}

namespace {

nlohmann::json key_facts(const store::GatewayKeyRow& k) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"name", k.name},         {"models", k.allowed_models},       {"scopes", k.scopes},
          {"ip_allowlist", k.ip_allowlist}, {"rpm", opt(k.limits.rpm)}, {"tpm", opt(k.limits.tpm)},
          {"monthly_requests", opt(k.limits.monthly_requests)}, {"monthly_tokens", opt(k.limits.monthly_tokens)},
          {"max_tokens", opt(k.limits.max_tokens_cap)}, {"enabled", k.enabled}, {"guardrails", k.guardrails}};
}

}  // namespace

core::Result<store::GatewayKeyRow> update_key(Deps& deps, core::KeyId id, const KeyUpdate& u, const Actor& actor) {
  store::GatewayKeyRow after;
  auto s = deps.db.write([&](store::Tx& tx) -> core::Status {
    auto row = store::gateway_keys::find(tx, id);
    if (!row || row->revoked_at) return core::Status::error("not_found", "No such key, or it is revoked.");
    after = *row;
    if (u.name) after.name = *u.name;
    if (u.allowed_models) after.allowed_models = *u.allowed_models;
    if (u.scopes) after.scopes = *u.scopes;
    if (u.ip_allowlist) after.ip_allowlist = *u.ip_allowlist;
    auto limit = [](const std::optional<std::int64_t>& v, std::optional<std::int64_t>& field) {
      if (v) field = *v == 0 ? std::nullopt : v;
    };
    limit(u.rpm, after.limits.rpm);
    limit(u.tpm, after.limits.tpm);
    limit(u.monthly_requests, after.limits.monthly_requests);
    limit(u.monthly_tokens, after.limits.monthly_tokens);
    limit(u.max_tokens_cap, after.limits.max_tokens_cap);
    if (u.enabled) after.enabled = *u.enabled;
    KeySpec check{after.name, after.owner, after.allowed_models, after.scopes, after.ip_allowlist, after.limits};
    check.guardrails = u.guardrails ? *u.guardrails : after.guardrails;
    if (auto v = validate(check); !v) return v;
    after.guardrails = normal_override(check.guardrails);
    store::gateway_keys::update(tx, after, deps.now_s());
    auto e = event("gateway_key.update", actor, id);
    e.details_json = nlohmann::json{{"before", key_facts(*row)}, {"after", key_facts(after)}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    audit::append(tx, e, audit_at(deps));
    return core::Status::ok();
  });
  if (!s) return s;
  return after;
}

core::Result<store::GatewayKeyRow> authenticate(Deps& deps, std::string_view presented, const std::string& client_ip) {
  auto invalid = core::Status::error("invalid_api_key", "The API key is not valid.");
  auto public_id = gateway_key_public_id(presented);
  if (!public_id || deps.key_pepper.empty()) return invalid;
  std::optional<store::GatewayKeyRow> row;
  if (deps.keys) {
    auto cached = deps.keys->find(*public_id);
    if (!cached) return core::Status::error("store_error", "The key could not be checked.");
    row = std::move(*cached);
  } else {
    auto s = deps.db.view([&](store::Tx& tx) {
      row = store::gateway_keys::find_by_public_id(tx, *public_id);
      return core::Status::ok();
    });
    if (!s) return core::Status::error("store_error", "The key could not be checked.");
  }
  // Hash even when the id is unknown, so both paths cost the same.
  auto hash = gateway_key_hash(deps.key_pepper, presented);
  if (!row) return invalid;
  bool current = core::ct_equal(row->secret_hash, hash);
  bool previous = core::ct_equal(row->prev_secret_hash, hash);  // "" (never rotated) matches nothing
  if (!current && !previous) return invalid;
  auto now = deps.now_s();
  if (row->revoked_at || !row->enabled || (row->expires_at && *row->expires_at <= now)) return invalid;
  if (!current && !(row->prev_valid_until && now < *row->prev_valid_until))
    return core::Status::error("rotated_secret", "The API key is not valid.");
  if (!allowed_from(*row, client_ip))
    return core::Status::error("ip_not_allowed", "This key may not be used from this address.");
  if (!row->last_used_at || now - *row->last_used_at >= 60 || row->last_used_ip != client_ip) {
    auto id = row->id;
    // Fire and forget: a request never waits for this bookkeeping, and a full queue skips it.
    (void)deps.db.writer().try_submit([id, now, client_ip](SQLite::Database& db) {
      store::Tx tx(db);
      store::gateway_keys::touch(tx, id, now, client_ip);
      return core::Status::ok();
    });
  }
  return *row;
}

}  // namespace airlock::gateway
