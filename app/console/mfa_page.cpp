// The MFA step after the password (/login/mfa), forced enrolment, and the account's two-factor
// page (/account/mfa). Secrets shown here (TOTP key, backup codes) go only into these responses,
// which are no-store.
#include "console/console.h"
#include "identity/mfa.h"
#include "http/form.h"
#include "identity/qr_svg.h"

namespace airlock::console {
namespace {

http::Response with_session(http::Response r, const identity::NewSession& s, Deps& d) {
  r.set_header("Set-Cookie", session_cookie(s.token, d.identity.policies.session_absolute.count()));
  return r;
}

http::Response enrol_page(Deps& d, const guard::Principal& who, const identity::Enrolment& e, bool forced,
                          const std::string& error, const guard::Principal* frame_who) {
  auto qr = identity::qr_svg(e.otpauth_uri, "QR code to add Airlock to an authenticator app");
  // Groups of four, as apps show keys; base32_decode ignores the spaces if it is typed back.
  std::string grouped;
  for (std::size_t i = 0; i < e.secret_base32.size(); i += 4) grouped += (i ? " " : "") + e.secret_base32.substr(i, 4);
  nlohmann::json data = {{"secret", grouped},
                         {"qr_svg", qr ? *qr : std::string()},
                         {"csrf", who.session.csrf_token},
                         {"forced", forced},
                         {"action", forced ? "/login/mfa/enrol" : "/account/mfa/confirm"}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(error.empty() ? 200 : 422, "mfa_enrol", data,
                       {.title = "Set up an authenticator", .who = frame_who, .active_nav = "account"});
}

http::Response codes_page(Deps& d, const std::vector<std::string>& codes, const guard::Principal* who) {
  return d.render.page(200, "backup_codes", {{"codes", codes}, {"continue", "/"}},
                       {.title = "Backup codes", .who = who, .active_nav = "account"});
}

}  // namespace

http::Response mfa_step_form(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req) {
  const auto& who = ctx.who();
  if (!who.user.totp_enabled) {
    // MFA is required but this user has none yet: enrolment is the only way on.
    auto e = identity::pending_totp_enrolment(d.identity, who.user.id, who.session.id);
    if (!e) {
      auto started = identity::begin_totp_enrolment(d.identity, who.user.id, who.session.id, origin_of(req));
      if (!started) return d.render.message(500, "Something went wrong", started.status().message(), {.title = "Error"}, req.request_id);
      e = *started;
    }
    return enrol_page(d, who, *e, true, "", nullptr);
  }
  return d.render.page(200, "mfa_challenge", {{"csrf", who.session.csrf_token}}, {.title = "Second step"});
}

http::Response mfa_step_submit(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req) {
  auto code = req.form_field("code");
  std::chrono::milliseconds delay{0};
  auto done = identity::complete_mfa_step(d.identity, ctx.who().session, code, origin_of(req), &delay);
  if (!done) {
    // A lockout or too many wrong codes end the pending session: back to the start.
    http::Response r;
    if (!identity::resolve_session(d.identity, std::string(http::cookie_value(*req.header("Cookie"), guard::kSessionCookie).value_or(""))))
      r = redirect("/login");
    else
      r = d.render.page(401, "mfa_challenge", {{"csrf", ctx.who().session.csrf_token}, {"error", done.status().message()}},
                        {.title = "Second step"});
    r.delay = delay;
    return r;
  }
  return with_session(redirect("/"), *done, d);
}

http::Response mfa_step_cancel(Deps& d, const guard::MfaPendingCtx& ctx, http::Request&) {
  (void)identity::end_session(d.identity, ctx.who().session.id, "mfa_cancelled");
  auto r = redirect("/login");
  r.set_header("Set-Cookie", session_cookie("", 0));
  return r;
}

http::Response mfa_enrol_submit(Deps& d, const guard::MfaPendingCtx& ctx, http::Request& req) {
  const auto& who = ctx.who();
  auto codes = identity::confirm_totp_enrolment(d.identity, who.user.id, who.session.id, req.form_field("code"), origin_of(req));
  if (!codes) {
    auto e = identity::pending_totp_enrolment(d.identity, who.user.id, who.session.id);
    if (!e) return redirect("/login/mfa");
    return enrol_page(d, who, *e, true, codes.status().message(), nullptr);
  }
  auto fresh = identity::upgrade_session(d.identity, who.session, origin_of(req));
  if (!fresh) return redirect("/login");
  return with_session(codes_page(d, *codes, nullptr), *fresh, d);
}

namespace {
http::Response account_mfa_view(Deps& d, const guard::Principal& who, int status, const std::string& error) {
  bool owner = who.user.role == identity::Role::kOwner;
  nlohmann::json data = {{"enabled", who.user.totp_enabled},
                         {"required", identity::mfa_required_for(d.identity, who.user.role)},
                         {"csrf", who.session.csrf_token},
                         {"owner", owner}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "account_mfa", data, {.title = "Account security", .who = &who, .active_nav = "account"});
}
}  // namespace

http::Response account_mfa_disable(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto password = req.form_field("password");
  auto s = identity::disable_totp(d.identity, ctx.who().user, password, req.form_field("code"), origin_of(req));
  core::secure_zero(password.data(), password.size());
  if (!s) return account_mfa_view(d, ctx.who(), 422, s.message());
  return redirect("/account/mfa");
}

http::Response account_mfa(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  const auto& who = ctx.who();
  if (!who.user.totp_enabled) {
    if (auto e = identity::pending_totp_enrolment(d.identity, who.user.id, who.session.id))
      return enrol_page(d, who, *e, false, "", &who);
  }
  (void)req;
  return account_mfa_view(d, who, 200, "");
}

http::Response account_mfa_start(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto started = identity::begin_totp_enrolment(d.identity, ctx.who().user.id, ctx.who().session.id, origin_of(req));
  if (!started && started.status().code() != "mfa_already_enabled")
    return d.render.message(500, "Something went wrong", started.status().message(), {.title = "Error", .who = &ctx.who()}, req.request_id);
  return redirect("/account/mfa");
}

http::Response account_mfa_confirm(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  const auto& who = ctx.who();
  auto codes = identity::confirm_totp_enrolment(d.identity, who.user.id, who.session.id, req.form_field("code"), origin_of(req));
  if (!codes) {
    auto e = identity::pending_totp_enrolment(d.identity, who.user.id, who.session.id);
    if (!e) return redirect("/account/mfa");
    return enrol_page(d, who, *e, false, codes.status().message(), &who);
  }
  return codes_page(d, *codes, &who);
}

http::Response account_backup_codes(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto codes = identity::regenerate_backup_codes(d.identity, ctx.who().user.id, origin_of(req));
  if (!codes) return redirect("/account/mfa");
  return codes_page(d, *codes, &ctx.who());
}

http::Response settings_mfa(Deps& d, const guard::OwnerCtx& ctx, http::Request& req) {
  bool required = req.form_field("require_mfa") == "true";
  auto s = identity::set_mfa_required(d.identity, required, ctx.who().user.id, ctx.who().user.email, origin_of(req));
  if (!s) return d.render.message(500, "Something went wrong", s.message(), {.title = "Error", .who = &ctx.who()}, req.request_id);
  return redirect("/settings?saved=1");
}

}  // namespace airlock::console
