#include "gateway/provision.h"

#include <fstream>
#include <regex>
#include <set>

#include "audit/audit_log.h"
#include "core/files.h"
#include "core/log.h"
#include "gateway/actor_event.h"
#include "gateway/guardrails_cache.h"
#include "guardrails/engine.h"
#include "store/settings_repo.h"
#include "egress/url.h"
#include "http/json_body.h"

namespace airlock::gateway {
namespace {

using nlohmann::json;

const std::regex kName("[a-z0-9][a-z0-9._-]{0,63}");
const std::regex kHeaderName("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");
// Headers Airlock itself owns on the upstream request.
const std::set<std::string> kReservedHeaders = {"authorization", "x-api-key", "host", "content-length", "transfer-encoding",
                                                "connection", "cookie", "content-type", "te", "upgrade", "keep-alive"};

struct Ctx {
  std::vector<std::string>& errors;
  void add(const std::string& where, const std::string& what) { errors.push_back(where + ": " + what); }
};

// Checks that `obj` has only `known` keys.
void only_keys(Ctx& c, const std::string& where, const json& obj, const std::set<std::string>& known) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!known.count(it.key())) c.add(where + "." + it.key(), "is not a known field");
}

std::optional<std::string> str(Ctx& c, const std::string& where, const json& obj, const char* key, bool required) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (required) c.add(where + "." + key, "is required");
    return std::nullopt;
  }
  if (!it->is_string()) {
    c.add(where + "." + key, "must be a string");
    return std::nullopt;
  }
  return it->get<std::string>();
}

bool boolean(Ctx& c, const std::string& where, const json& obj, const char* key, bool fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_boolean()) {
    c.add(where + "." + key, "must be true or false");
    return fallback;
  }
  return it->get<bool>();
}

std::int64_t integer(Ctx& c, const std::string& where, const json& obj, const char* key, std::int64_t fallback,
                     std::int64_t min, std::int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max ||
      (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max))) {
    c.add(where + "." + key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    return fallback;
  }
  return it->get<std::int64_t>();
}

// The provisioning file, key files and CA files: a regular file of at most 1 MiB, or nothing.
std::optional<std::string> read_file(const std::string& path) { return core::read_small_file(path, 1024 * 1024); }

std::optional<core::SecretBytes> provider_key(Ctx& c, const std::string& where, const json& p,
                                              const std::map<std::string, std::string>& env, bool api) {
  std::string value;
  std::optional<std::string> var, file;
  if (api) {
    // Over the authenticated management API the key comes in the body, once; it is never returned.
    auto inline_key = str(c, where, p, "api_key", false);
    if (!inline_key) return std::nullopt;
    value = std::move(*inline_key);
  } else {
    if (p.contains("api_key")) c.add(where + ".api_key", "secrets are never inline: use api_key_env or api_key_file");
    var = str(c, where, p, "api_key_env", false);
    file = str(c, where, p, "api_key_file", false);
    if (var && file) c.add(where, "give api_key_env or api_key_file, not both");
  }
  if (var) {
    auto it = env.find(*var);
    if (it == env.end() || it->second.empty()) {
      c.add(where + ".api_key_env", "the environment variable " + var->substr(0, 64) + " is not set");
      return std::nullopt;
    }
    value = it->second;
  } else if (file) {
    auto text = read_file(*file);
    if (!text) {
      c.add(where + ".api_key_file", "cannot read '" + *file + "'");
      return std::nullopt;
    }
    value = std::move(*text);
  } else if (!api) {
    return std::nullopt;
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
  bool printable = !value.empty() && value.size() <= 4096;
  for (unsigned char ch : value) printable = printable && ch > 0x20 && ch < 0x7f;
  core::SecretBytes key(core::Bytes(value.begin(), value.end()));
  core::secure_zero(value.data(), value.size());
  if (!printable) {
    c.add(where, "the API key must be 1-4096 printable characters without spaces");
    return std::nullopt;
  }
  return key;
}

std::string headers_json(Ctx& c, const std::string& where, const json& p) {
  auto it = p.find("extra_headers");
  if (it == p.end()) return "{}";
  if (!it->is_object()) {
    c.add(where + ".extra_headers", "must be an object of header names to string values");
    return "{}";
  }
  for (auto h = it->begin(); h != it->end(); ++h) {
    std::string lower = h.key();
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool ok_value = h->is_string() && h->get_ref<const std::string&>().size() <= 4096;
    if (ok_value)
      for (unsigned char ch : h->get_ref<const std::string&>()) ok_value = ok_value && (ch == '\t' || (ch >= 0x20 && ch != 0x7f));
    if (!std::regex_match(h.key(), kHeaderName)) c.add(where + ".extra_headers", "'" + h.key().substr(0, 64) + "' is not a header name");
    else if (kReservedHeaders.count(lower)) c.add(where + ".extra_headers." + h.key(), "is set by Airlock itself");
    else if (!ok_value) c.add(where + ".extra_headers." + h.key(), "must be a string without control characters");
  }
  return it->dump();
}

ProvisionedProvider provider_fields(Ctx& c, const std::string& where, const json& p,
                                    const std::map<std::string, std::string>& env, bool api, const egress::Policy& policy) {
  ProvisionedProvider out;
  if (!p.is_object()) {
    c.add(where, "must be an object");
    return out;
  }
  if (api)
    only_keys(c, where, p, {"name", "type", "base_url", "api_key", "extra_headers", "internal", "ca_pem", "timeouts",
                            "max_concurrent", "enabled", "responses"});
  else
    only_keys(c, where, p, {"name", "type", "base_url", "api_key", "api_key_env", "api_key_file", "extra_headers", "internal",
                            "ca_file", "timeouts", "max_concurrent", "enabled", "responses"});
  auto& r = out.row;
  r.provisioned = !api;
  if (auto name = str(c, where, p, "name", true)) {
    if (!std::regex_match(*name, kName)) c.add(where + ".name", "1-64 of a-z 0-9 . _ -, starting with a letter or digit");
    r.name = *name;
  }
  if (auto type = str(c, where, p, "type", true)) {
    if (*type != "openai" && *type != "anthropic") c.add(where + ".type", "must be openai or anthropic");
    r.type = *type;
  }
  r.internal = boolean(c, where, p, "internal", false);
  if (api && r.internal)
    c.add(where + ".internal", "only the host operator's provisioning file can mark a provider internal");
  r.enabled = boolean(c, where, p, "enabled", true);
  // Whether an OpenAI-type server answers /responses itself; false: Airlock translates to chat.
  r.serves_responses = boolean(c, where, p, "responses", r.type != "anthropic");
  if (r.type == "anthropic" && r.serves_responses) c.add(where + ".responses", "an Anthropic-type provider has no Responses API");
  if (auto url = str(c, where, p, "base_url", true)) {
    std::string err;
    auto u = egress::parse_url(*url, &err);
    if (!u) c.add(where + ".base_url", err);
    else if (!(r.internal && !api))
      if (auto why = policy.check_url(*u)) c.add(where + ".base_url", *why);
    r.base_url = *url;
    while (!r.base_url.empty() && r.base_url.back() == '/') r.base_url.pop_back();
  }
  if (auto pem = str(c, where, p, "ca_pem", false); pem && api) {
    if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos || pem->size() > 65536)
      c.add(where + ".ca_pem", "must be a PEM certificate (at most 64 KiB)");
    else r.ca_pem = *pem;
  }
  if (auto ca = str(c, where, p, "ca_file", false); ca && !api) {
    auto pem = read_file(*ca);
    if (!pem || pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      c.add(where + ".ca_file", "cannot read a PEM certificate from '" + *ca + "'");
    else r.ca_pem = *pem;
  }
  if (auto t = p.find("timeouts"); t != p.end()) {
    if (!t->is_object()) {
      c.add(where + ".timeouts", "must be an object");
    } else {
      std::string tw = where + ".timeouts";
      only_keys(c, tw, *t, {"connect_ms", "first_byte_ms", "idle_ms", "total_ms"});
      r.connect_timeout_ms = integer(c, tw, *t, "connect_ms", r.connect_timeout_ms, 100, 120000);
      r.first_byte_timeout_ms = integer(c, tw, *t, "first_byte_ms", r.first_byte_timeout_ms, 100, 3600000);
      r.idle_timeout_ms = integer(c, tw, *t, "idle_ms", r.idle_timeout_ms, 100, 3600000);
      r.total_timeout_ms = integer(c, tw, *t, "total_ms", r.total_timeout_ms, 1000, 86400000);
    }
  }
  r.max_concurrent = integer(c, where, p, "max_concurrent", r.max_concurrent, 1, 100000);
  r.extra_headers_json = headers_json(c, where, p);
  out.api_key = provider_key(c, where, p, env, api);
  return out;
}

void parse_provider(Ctx& c, const std::string& where, const json& p, const std::map<std::string, std::string>& env,
                    ProvisionPlan& plan, const egress::Policy& policy) {
  auto out = provider_fields(c, where, p, env, /*api=*/false, policy);
  for (const auto& other : plan.providers)
    if (!out.row.name.empty() && other.row.name == out.row.name)
      c.add(where + ".name", "'" + out.row.name + "' is declared twice");
  plan.providers.push_back(std::move(out));
}

void parse_model(Ctx& c, const std::string& where, const json& m, ProvisionPlan& plan) {
  if (!m.is_object()) return c.add(where, "must be an object");
  only_keys(c, where, m, {"name", "targets", "reasoning", "enabled"});
  ProvisionPlan::Model out;
  out.row.provisioned = true;
  if (auto name = str(c, where, m, "name", true)) {
    if (name->empty() || name->size() > 200) c.add(where + ".name", "must be 1-200 characters");
    for (const auto& other : plan.models)
      if (other.row.name == *name) c.add(where + ".name", "'" + name->substr(0, 64) + "' is declared twice");
    out.row.name = *name;
  }
  out.row.reasoning = boolean(c, where, m, "reasoning", false);
  out.row.enabled = boolean(c, where, m, "enabled", true);
  auto t = m.find("targets");
  if (t == m.end() || !t->is_array() || t->empty() || t->size() > 16) {
    c.add(where + ".targets", "must be a list of 1-16 {\"provider\",\"model\"} objects");
  } else {
    for (std::size_t i = 0; i < t->size(); ++i) {
      std::string tw = where + ".targets[" + std::to_string(i) + "]";
      const auto& target = (*t)[i];
      if (!target.is_object()) {
        c.add(tw, "must be an object");
        continue;
      }
      only_keys(c, tw, target, {"provider", "model"});
      auto provider = str(c, tw, target, "provider", true);
      auto model = str(c, tw, target, "model", true);
      if (!provider || !model) continue;
      bool known = false;
      for (const auto& p : plan.providers) known = known || p.row.name == *provider;
      if (!known) c.add(tw + ".provider", "'" + provider->substr(0, 64) + "' is not declared in providers");
      if (model->empty() || model->size() > 200) c.add(tw + ".model", "must be 1-200 characters");
      out.row.targets.push_back({core::ProviderId(), *model});
      out.target_providers.push_back(*provider);
    }
  }
  plan.models.push_back(std::move(out));
}

}  // namespace

ProvisionPlan parse_provision(const std::string& text, const std::map<std::string, std::string>& env,
                              std::vector<std::string>& errors, const egress::Policy& policy) {
  ProvisionPlan plan;
  Ctx c{errors};
  std::string err;
  auto doc = http::parse_json_strict(text, &err);
  if (!doc) {
    c.add("provision file", err == "duplicate_key"           ? "an object repeats a key"
                            : err == "json_too_deep"         ? "nests deeper than 64 levels"
                            : err == "json_too_many_members" ? "has an object over 1000 members or an array over 100000 elements"
                                                             : "is not valid JSON");
    return plan;
  }
  if (!doc->is_object()) {
    c.add("provision file", "must be a JSON object");
    return plan;
  }
  only_keys(c, "provision file", *doc, {"providers", "models", "guardrails"});
  for (const char* list : {"providers", "models"}) {
    auto it = doc->find(list);
    if (it != doc->end() && !it->is_array()) c.add(list, "must be a list");
  }
  if (auto it = doc->find("providers"); it != doc->end() && it->is_array())
    for (std::size_t i = 0; i < it->size(); ++i) parse_provider(c, "providers[" + std::to_string(i) + "]", (*it)[i], env, plan, policy);
  if (auto it = doc->find("models"); it != doc->end() && it->is_array())
    for (std::size_t i = 0; i < it->size(); ++i) parse_model(c, "models[" + std::to_string(i) + "]", (*it)[i], plan);
  if (auto it = doc->find("guardrails"); it != doc->end()) {
    auto read = guardrails::read_policy(*it);
    if (auto* bad = std::get_if<guardrails::PolicyProblem>(&read)) {
      c.add("guardrails." + bad->field, bad->message);
    } else {
      auto built = guardrails::Engine::build(std::get<guardrails::Policy>(read));
      if (auto* bad2 = std::get_if<guardrails::PolicyProblem>(&built)) c.add("guardrails." + bad2->field, bad2->message);
      else plan.guardrails = std::move(std::get<guardrails::Policy>(read));
    }
  }
  return plan;
}

ProvisionPlan load_provision_file(const std::string& path, const std::map<std::string, std::string>& env,
                                  std::vector<std::string>& errors, const egress::Policy& policy) {
  auto text = read_file(path);
  if (!text) {
    errors.push_back("AIRLOCK_PROVISION_FILE: cannot read '" + path + "'");
    return {};
  }
  return parse_provision(*text, env, errors, policy);
}

std::optional<ProvisionedProvider> parse_api_provider(const nlohmann::json& p, std::vector<std::string>& errors,
                                                      const egress::Policy& policy) {
  Ctx c{errors};
  auto before = errors.size();
  auto out = provider_fields(c, "provider", p, {}, /*api=*/true, policy);
  if (errors.size() != before) return std::nullopt;
  return out;
}

namespace {
void seal_key(Deps& deps, store::Tx& tx, core::ProviderId id, const std::optional<core::SecretBytes>& key, std::int64_t now,
              core::Status* status) {
  if (!key) {
    store::catalog::set_provider_key(tx, id, std::nullopt, "", now);
    return;
  }
  auto sealed = deps.fields.seal("vendor-key", {"providers", "api_key", id.value}, key->bytes());
  if (!sealed) {
    *status = sealed.status();
    return;
  }
  std::string plain(reinterpret_cast<const char*>(key->bytes().data()), key->size());
  std::string hint = plain.size() > 8 ? plain.substr(plain.size() - 4) : "";
  core::secure_zero(plain.data(), plain.size());
  store::catalog::set_provider_key(tx, id, *sealed, hint, now);
}
}  // namespace

bool moves_key(const store::ProviderRow& before, const store::ProviderRow& after) {
  return before.base_url != after.base_url || before.ca_pem != after.ca_pem || before.internal != after.internal;
}

core::Result<core::ProviderId> save_provider(Deps& deps, const ProvisionedProvider& p, bool replace_key, const Actor& actor,
                                             std::optional<core::ProviderId> existing) {
  core::ProviderId id;
  auto now = deps.now_s();
  auto s = deps.db.write([&](store::Tx& tx) -> core::Status {
    auto same_name = store::catalog::find_provider_by_name(tx, p.row.name);
    if (existing) {
      auto row = store::catalog::find_provider(tx, *existing);
      if (!row) return core::Status::error("not_found", "No such provider.");
      if (row->provisioned) return core::Status::error("provisioned", "Declared in the provisioning file: change it there.");
      if (same_name && same_name->id != *existing) return core::Status::error("name_taken", "Another provider has this name.");
      // The stored key goes where base_url, the CA and `internal` say. Pointing them elsewhere
      // needs the key itself again, so an admin cannot send an existing key to a host of theirs.
      if (row->api_key_sealed && !replace_key && moves_key(*row, p.row))
        return core::Status::error("key_required",
                                   "Changing base_url, ca_pem or internal needs the vendor key again: send api_key too.");
      if (row->name != p.row.name) {
        // Renaming through upsert-by-name would create a second row; rename in place first.
        store::catalog::rename_provider(tx, *existing, p.row.name, now);
      }
    } else if (same_name) {
      return core::Status::error("name_taken", "A provider with this name exists.");
    }
    id = store::catalog::upsert_provider(tx, p.row, now);
    core::Status sealed = core::Status::ok();
    if (replace_key) seal_key(deps, tx, id, p.api_key, now, &sealed);
    if (!sealed) return sealed;
    auto e = actor_event(existing ? "provider.update" : "provider.create", actor, "provider:" + id.str());
    e.details_json = json{{"name", p.row.name}, {"type", p.row.type}, {"base_url", p.row.base_url},
                          {"key_changed", replace_key}}.dump(-1, ' ', false, json::error_handler_t::replace);
    audit::append(tx, e, core::format_time_utc(deps.clock.system_now()));
    return core::Status::ok();
  });
  if (!s) return s;
  return id;
}

namespace {
// The file's policy replaces the organisation's and is marked provisioned; a file without one
// hands the policy back to the console (the last one stays in force).
void put_guardrails(store::Tx& tx, const std::optional<guardrails::Policy>& policy, const std::string& at) {
  if (!policy) {
    store::settings::remove(tx, kGuardrailsProvisionedSetting);
    return;
  }
  store::settings::put(tx, kGuardrailsSetting, guardrails::write_policy(*policy).dump(), at);
  store::settings::put(tx, kGuardrailsProvisionedSetting, "true", at);
}
}  // namespace

core::Status apply_provision(Deps& deps, const ProvisionPlan& plan) {
  auto now = deps.now_s();
  // The sealed key is bound to its row id, so each provider row is written first, its key second.
  return deps.db.write([&](store::Tx& tx) -> core::Status {
    std::map<std::string, core::ProviderId> ids;
    for (const auto& p : plan.providers) {
      auto id = store::catalog::upsert_provider(tx, p.row, now);
      ids[p.row.name] = id;
      core::Status sealed = core::Status::ok();
      seal_key(deps, tx, id, p.api_key, now, &sealed);
      if (!sealed) return sealed;
    }
    for (const auto& m : plan.models) {
      auto row = m.row;
      for (std::size_t i = 0; i < row.targets.size(); ++i) row.targets[i].provider = ids.at(m.target_providers[i]);
      store::catalog::upsert_model(tx, row, now);
    }
    auto at = core::format_time_utc(deps.clock.system_now());
    put_guardrails(tx, plan.guardrails, at);
    audit::Event e;
    e.action = "provision.apply";
    e.actor = "system";
    e.details_json = json{{"providers", plan.providers.size()}, {"models", plan.models.size()},
                          {"guardrails", plan.guardrails.has_value()}}.dump();
    audit::append(tx, e, at);
    return core::Status::ok();
  });
}

}  // namespace airlock::gateway
