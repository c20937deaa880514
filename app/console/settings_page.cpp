// GET /settings: the security policy (owners change require-MFA; admins see it) and the
// configured limits in force. The form posts to /settings/mfa (mfa_page.cpp).
#include <charconv>

#include "console/api.h"
#include "console/gateway_pages.h"
#include "gateway/guardrails_settings.h"
#include "gateway/key_rotation.h"

namespace airlock::console {
namespace {

std::string duration(std::int64_t s) {
  if (s % 3600 == 0) return std::to_string(s / 3600) + " h";
  if (s % 60 == 0) return std::to_string(s / 60) + " min";
  return std::to_string(s) + " s";
}

nlohmann::json fact(std::string label, std::string value, std::string key) {
  return {{"label", std::move(label)}, {"value", std::move(value)}, {"key", std::move(key)}};
}

nlohmann::json options(std::optional<guardrails::Action> selected, bool with_inherit) {
  auto out = nlohmann::json::array();
  if (with_inherit) out.push_back({{"value", "inherit"}, {"label", "as the default"}, {"selected", !selected}});
  for (auto a : {guardrails::Action::kOff, guardrails::Action::kMonitor, guardrails::Action::kMask, guardrails::Action::kBlock})
    out.push_back({{"value", std::string(guardrails::action_name(a))},
                   {"label", std::string(guardrails::action_name(a))},
                   {"selected", selected && *selected == a}});
  return out;
}

// The guardrail card: the policy as selects (owners, unless the provisioning file holds it) and
// the custom rules as their JSON form.
nlohmann::json guardrails_view(Deps& d, bool owner, std::string* error) {
  auto state = gateway::read_guardrails(d.gateway.deps());
  if (!state) {
    *error = "The guardrail policy could not be read.";
    return nlohmann::json::object();
  }
  const auto& p = state->policy;
  auto dirs = nlohmann::json::array();
  for (auto dir : {guardrails::Direction::kRequest, guardrails::Direction::kResponse}) {
    const auto& dp = p.direction(dir);
    std::string name = dir == guardrails::Direction::kRequest ? "requests" : "responses";
    auto dets = nlohmann::json::array();
    for (auto det : guardrails::kBuiltins) {
      std::string dn(guardrails::detector_name(det));
      dets.push_back({{"field", name + "_" + dn}, {"name", dn}, {"label", std::string(guardrails::detector_label(det))},
                      {"options", options(dp.detectors[static_cast<std::size_t>(det)], true)}});
    }
    dirs.push_back({{"name", name},
                    {"label", dir == guardrails::Direction::kRequest ? "Requests: what goes to the vendor" : "Answers: what comes back"},
                    {"default_field", name + "_default"},
                    {"defaults", options(dp.base, false)},
                    {"detectors", dets}});
  }
  auto rules = guardrails::write_policy(p)["rules"];
  auto listed = nlohmann::json::array();
  for (const auto& r : p.rules)
    listed.push_back({{"name", r.name}, {"label", r.label}, {"action", std::string(guardrails::action_name(r.action))},
                      {"kind", r.pattern.empty() ? "keywords" : "pattern"},
                      {"applies_to", r.requests && r.responses ? "both" : r.requests ? "requests" : "responses"}});
  auto cap = [](const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string(); };
  auto blocks = waf_blocks_json(d);
  return {{"max_chars", cap(p.caps.max_chars)}, {"max_urls", cap(p.caps.max_urls)}, {"max_phones", cap(p.caps.max_phones)},
          {"waf_violations", std::to_string(p.waf.violations_per_minute)}, {"waf_seconds", std::to_string(p.waf.block_seconds)},
          {"blocks", blocks}, {"has_blocks", !blocks.empty()},
          {"provisioned", state->provisioned}, {"editable", owner && !state->provisioned}, {"directions", dirs}, {"has_rules", !listed.empty()},
          {"rules", listed}, {"rules_json", rules.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)}};
}

}  // namespace

http::Response settings_view(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return settings_page(d, ctx.who(), req, 200, "");
}

http::Response settings_page(Deps& d, const guard::Principal& who, const http::Request& req, int status,
                             const std::string& problem) {
  auto s = security_settings(d);
  const auto& c = s["configuration"];
  auto per = [](const nlohmann::json& l) {
    return std::to_string(l["limit"].get<int>()) + " per " + duration(l["window_seconds"].get<std::int64_t>()) + " per client";
  };
  const auto& a = c["password_hashing"];
  const auto& lock = c["lockout"];
  auto facts = nlohmann::json::array(
      {fact("Password hashing", "argon2id, " + std::to_string(a["memory_kib"].get<int>() / 1024) + " MiB, t=" +
                                    std::to_string(a["iterations"].get<int>()) + ", p=" + std::to_string(a["parallelism"].get<int>()),
            "AIRLOCK_ARGON2_*"),
       fact("Lockout", std::to_string(lock["failures"].get<int>()) + " failures in " +
                           duration(lock["window_seconds"].get<std::int64_t>()) + " lock for " +
                           duration(lock["duration_seconds"].get<std::int64_t>()),
            "AIRLOCK_LOCKOUT_*"),
       fact("Session idle timeout", duration(c["sessions"]["idle_timeout_seconds"].get<std::int64_t>()), "AIRLOCK_SESSION_IDLE_TIMEOUT"),
       fact("Session absolute timeout", duration(c["sessions"]["absolute_timeout_seconds"].get<std::int64_t>()),
            "AIRLOCK_SESSION_ABSOLUTE_TIMEOUT"),
       fact("Invite links valid for", duration(c["links"]["invite_lifetime_seconds"].get<std::int64_t>()), "—"),
       fact("Sign-in attempts", per(c["rate_limits"]["login"]), "AIRLOCK_LOGIN_RATE_LIMIT"),
       fact("Setup and invite link uses", per(c["rate_limits"]["setup_and_invite"]), "AIRLOCK_SETUP_RATE_LIMIT"),
       fact("CSP reports", per(c["rate_limits"]["csp_reports"]), "AIRLOCK_CSP_REPORT_RATE_LIMIT")});
  bool owner = who.user.role == identity::Role::kOwner;
  nlohmann::json data = {{"owner", owner}, {"require_mfa", s["require_mfa"]}, {"csrf", who.session.csrf_token},
                         {"facts", facts},
                         {"key_max_age_days", s["key_max_age_days"].is_null() ? std::string() : s["key_max_age_days"].dump()}};
  std::string error = problem;
  data["guardrails"] = guardrails_view(d, owner, &error);
  if (!error.empty()) data["error"] = error;  // an empty string still opens a mustache section
  std::string notice = req.query_param("saved") == "1" ? "Settings saved." : "";
  return d.render.page(status, "settings", data,
                       {.title = "Security settings", .who = &who, .notice = notice, .active_nav = "settings"});
}

// POST /settings/key-rotation: the maximum age of a gateway key's secret (empty or 0: none).
http::Response settings_key_rotation(Deps& d, const guard::OwnerCtx& ctx, http::Request& req) {
  auto text = req.form_field("key_max_age_days");
  std::int64_t days = 0;
  if (!text.empty()) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (ec != std::errc() || end != text.data() + text.size())
      return settings_page(d, ctx.who(), req, 422, "The maximum key age is a whole number of days.");
  }
  auto s = gateway::set_key_max_age_days(d.gateway.deps(), days, actor_of(ctx.who(), req));
  if (!s) {
    if (s.code() == "max_age_invalid") return settings_page(d, ctx.who(), req, 422, s.message());
    return d.render.message(500, "Something went wrong", "Nothing was changed.", {.title = "Error", .who = &ctx.who()}, req.request_id);
  }
  return redirect("/settings?saved=1");
}

}  // namespace airlock::console
