// /api/v1/me/mfa…: the caller's own second factor. Everything that changes it needs the session.
#include "console/api.h"
#include "core/bytes.h"
#include "http/json_body.h"
#include "identity/mfa.h"

namespace airlock::console {
namespace {

http::Response codes_json(std::vector<std::string>& codes) {
  auto r = http::json_response(200, {{"backup_codes", codes}});
  for (auto& c : codes) core::secure_zero(c.data(), c.size());
  return r;
}

}  // namespace

http::Response api_mfa_status(Deps& d, const guard::ViewerCtx& ctx, http::Request&) {
  const auto& u = ctx.who().user;
  bool pending = identity::enrolling_in(d.identity, u, ctx.who().session.id);
  return http::json_response(200, {{"enabled", u.totp_enabled},
                                   {"enrolment_pending", pending},
                                   {"required_by_policy", identity::mfa_required_for(d.identity, ctx.who().user.role)}});
}

http::Response api_mfa_enrol(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto started = identity::begin_totp_enrolment(d.identity, ctx.who().user.id, ctx.who().session.id, origin_of(req));
  if (!started) return api::error(started.status(), req);
  auto r = http::json_response(201, {{"secret", started->secret_base32}, {"otpauth_uri", started->otpauth_uri}});
  core::secure_zero(started->secret_base32.data(), started->secret_base32.size());
  core::secure_zero(started->otpauth_uri.data(), started->otpauth_uri.size());
  return r;
}

http::Response api_mfa_confirm(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto code = body.string("code", 20);
  if (!code) body.missing("code");
  if (auto bad = body.refusal(req)) return *bad;
  auto codes = identity::confirm_totp_enrolment(d.identity, ctx.who().user.id, ctx.who().session.id, *code, origin_of(req));
  if (!codes) return api::error(codes.status(), req);
  return codes_json(*codes);
}

http::Response api_backup_codes(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto codes = identity::regenerate_backup_codes(d.identity, ctx.who().user.id, origin_of(req));
  if (!codes) return api::error(codes.status(), req);
  return codes_json(*codes);
}

http::Response api_mfa_disable(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto password = body.string("password", 1024);
  auto code = body.string("code", 20);
  if (!password) body.missing("password");
  if (!code) body.missing("code");
  if (auto bad = body.refusal(req)) return *bad;
  auto s = identity::disable_totp(d.identity, ctx.who().user, *password, *code, origin_of(req));
  core::secure_zero(password->data(), password->size());
  if (!s) return api::error(s, req);
  return http::json_response(200, {{"enabled", false}});
}

}  // namespace airlock::console
