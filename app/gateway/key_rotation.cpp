#include "gateway/key_rotation.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "gateway/actor_event.h"
#include "gateway/key_format.h"
#include "store/settings_repo.h"

namespace airlock::gateway {
namespace {

constexpr std::string_view kMaxAgeSetting = "key_max_age_days";

std::string audit_at(const Deps& deps) { return core::format_time_utc(deps.clock.system_now()); }

std::optional<std::int64_t> read_max_age(store::Tx& tx) {
  auto text = store::settings::get(tx, kMaxAgeSetting);
  if (!text) return std::nullopt;
  std::int64_t days = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), days);
  if (ec != std::errc() || end != text->data() + text->size() || days < 1 || days > kMaxKeyAgeDays) return std::nullopt;
  return days;
}

}  // namespace

core::Result<RotatedKey> rotate_key(Deps& deps, core::KeyId id, std::int64_t grace_s, const Actor& actor) {
  if (grace_s < 0 || grace_s > kMaxGraceSeconds)
    return core::Status::error("grace_invalid", "The grace period is 0 to 30 days.");
  if (deps.key_pepper.empty()) return core::Status::error("internal_error", "Gateway keys are not available.");
  RotatedKey out;
  std::string secret;
  auto now = deps.now_s();
  auto s = deps.db.write([&](store::Tx& tx) -> core::Status {
    auto row = store::gateway_keys::find(tx, id);
    if (!row || row->revoked_at) return core::Status::error("not_found", "No such key, or it is revoked.");
    auto made = new_gateway_secret(deps.random, row->public_id);
    // A grace of 0 still records the old hash (valid until now, so never again): a client that
    // keeps sending it is then told apart from a stranger in the audit log.
    std::int64_t until = now + grace_s;
    store::gateway_keys::rotate(tx, id, gateway_key_hash(deps.key_pepper, made.key), until, now);
    auto e = actor_event("gateway_key.rotate", actor, "gateway_key:" + id.str());
    e.details_json = nlohmann::json{{"public_id", row->public_id},
                                    {"grace_seconds", grace_s},
                                    {"previous_valid_until", grace_s > 0 ? nlohmann::json(core::format_time_utc(
                                                                               core::Clock::SystemTime(std::chrono::seconds(until))))
                                                                         : nlohmann::json(nullptr)},
                                    {"previous_grace_cut_short", in_grace(*row, now)}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    audit::append(tx, e, audit_at(deps));
    secret = std::move(made.key);
    if (grace_s > 0) out.previous_valid_until = until;
    return core::Status::ok();
  });
  if (!s) {
    core::secure_zero(secret.data(), secret.size());
    return s;
  }
  out.key = std::move(secret);
  return out;
}

core::Status end_grace(Deps& deps, core::KeyId id, const Actor& actor) {
  return deps.db.write([&](store::Tx& tx) {
    if (!store::gateway_keys::end_grace(tx, id, deps.now_s()))
      return core::Status::error("not_found", "This key has no previous secret in its grace period.");
    audit::append(tx, actor_event("gateway_key.grace_end", actor, "gateway_key:" + id.str()), audit_at(deps));
    return core::Status::ok();
  });
}

core::Result<std::optional<std::int64_t>> key_max_age_days(Deps& deps) {
  return deps.db.fetch([](store::Tx& tx) { return read_max_age(tx); });
}

core::Status set_key_max_age_days(Deps& deps, std::int64_t days, const Actor& actor) {
  if (days < 0 || days > kMaxKeyAgeDays)
    return core::Status::error("max_age_invalid", "The maximum key age is 1 to 3650 days, or 0 for none.");
  return deps.db.write([&](store::Tx& tx) {
    auto before = read_max_age(tx);
    auto at = audit_at(deps);
    if (days == 0) store::settings::remove(tx, kMaxAgeSetting);
    else store::settings::put(tx, kMaxAgeSetting, std::to_string(days), at);
    auto e = actor_event("settings.change", actor, "setting:key_max_age_days");
    e.details_json = nlohmann::json{{"before", before ? nlohmann::json(*before) : nlohmann::json(nullptr)},
                                    {"after", days ? nlohmann::json(days) : nlohmann::json(nullptr)}}
                         .dump();
    audit::append(tx, e, at);
    return core::Status::ok();
  });
}

bool rotation_due(const store::GatewayKeyRow& key, std::optional<std::int64_t> max_age_days, std::int64_t now) {
  if (!max_age_days || key.revoked_at) return false;
  return now - key.secret_created_at >= *max_age_days * 86400;
}

bool in_grace(const store::GatewayKeyRow& key, std::int64_t now) {
  return !key.prev_secret_hash.empty() && key.prev_valid_until && now < *key.prev_valid_until;
}

}  // namespace airlock::gateway
