// GET /settings: the security policy (owners change require-MFA; admins see it) and the
// configured limits in force. The form posts to /settings/mfa (mfa_page.cpp).
#include "console/api.h"

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

}  // namespace

http::Response settings_view(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
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
  bool owner = ctx.who().user.role == identity::Role::kOwner;
  nlohmann::json data = {{"owner", owner}, {"require_mfa", s["require_mfa"]}, {"csrf", ctx.who().session.csrf_token},
                         {"facts", facts}};
  std::string notice = req.query_param("saved") == "1" ? "Settings saved." : "";
  return d.render.page(200, "settings", data,
                       {.title = "Security settings", .who = &ctx.who(), .notice = notice, .active_nav = "settings"});
}

}  // namespace airlock::console
