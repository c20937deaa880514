// Step-up (identity/step_up.h): GET/POST /account/confirm asks for the password (and code) again
// and returns to one of a fixed set of pages; POST /api/v1/me/confirm does it for API callers
// on a session. need_step_up is what sensitive handlers call first.
#include <array>
#include <string_view>

#include "console/api.h"
#include "http/errors.h"
#include "http/json_body.h"
#include "identity/step_up.h"

namespace airlock::console {
namespace {

// Where the confirmation may return to: a fixed list, so `next` can never redirect off-site.
constexpr std::array<std::string_view, 4> kReturnTo = {"/account", "/account/mfa", "/users", "/settings"};

std::string return_to(std::string_view next) {
  for (auto p : kReturnTo)
    if (p == next) return std::string(p);
  return "/account";
}

http::Response confirm_page(Deps& d, const guard::Principal& who, int status, const std::string& next,
                            const std::string& error) {
  nlohmann::json data = {{"csrf", who.session.csrf_token},
                         {"next", next},
                         {"email", who.user.email},
                         {"mfa", who.user.totp_enabled},
                         {"minutes", d.identity.policies.step_up_window.count() / 60}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "confirm", data, {.title = "Confirm it is you", .who = &who, .active_nav = "account"});
}

// 422, not 401: the caller is signed in; what they typed is wrong.
int status_of(const core::Status& s) { return s.code() == "locked" ? 429 : 422; }

}  // namespace

std::optional<http::Response> need_step_up(Deps& d, const guard::Principal& who, const http::Request& req,
                                           std::string_view back_to) {
  if (!who.token_scope && identity::stepped_up(d.identity, who.session)) return std::nullopt;
  if (req.path.rfind("/api/", 0) == 0)
    return http::error_response(403, "step_up_required",
                                "Confirm your password (and code) first: POST /api/v1/me/confirm.", req.request_id);
  return confirm_page(d, who, 403, return_to(back_to), "");
}

http::Response confirm_form(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  return confirm_page(d, ctx.who(), 200, return_to(req.query_param("next")), "");
}

http::Response confirm_submit(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto next = return_to(req.form_field("next"));
  auto password = req.form_field("password");
  auto code = req.form_field("code");
  auto s = identity::confirm_identity(d.identity, ctx.who().user, ctx.who().session, password, code, origin_of(req));
  core::secure_zero(password.data(), password.size());
  core::secure_zero(code.data(), code.size());
  if (s) return redirect(next);
  if (api::status_for(s.code()) == 500 && s.code() != "locked")
    return d.render.message(500, "Something went wrong", "Nothing was changed.", {.title = "Error", .who = &ctx.who()},
                            req.request_id);
  auto r = confirm_page(d, ctx.who(), status_of(s), next, s.message());
  if (s.code() == "locked") r.set_header("Retry-After", std::to_string(d.identity.policies.lockout_window.count()));
  return r;
}

http::Response api_session_confirm(Deps& d, const guard::ViewerCtx& ctx, http::Request& req) {
  auto parsed = http::JsonBody::read(req);
  if (auto* stop = std::get_if<http::Response>(&parsed)) return std::move(*stop);
  auto& body = std::get<http::JsonBody>(parsed);
  auto password = body.string("password", 1024);
  auto code = body.string("code", 64);
  if (!password) body.missing("password");
  if (auto bad = body.refusal(req)) return *bad;
  auto s = identity::confirm_identity(d.identity, ctx.who().user, ctx.who().session, *password, code.value_or(""),
                                      origin_of(req));
  core::secure_zero(password->data(), password->size());
  if (s) return api::no_content();
  if (s.code() == "locked") {
    auto r = http::error_response(429, "locked", s.message(), req.request_id);
    r.set_header("Retry-After", std::to_string(d.identity.policies.lockout_window.count()));
    return r;
  }
  if (api::status_for(s.code()) != 422) return api::error(s, req);
  return http::error_response(422, s.code(), s.message(), req.request_id);
}

}  // namespace airlock::console
