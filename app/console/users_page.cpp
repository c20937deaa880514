// GET /users: every user with role, status, MFA and lockout, a form per allowed action, and the
// invite form. POST /users/invite: makes the link and shows it once to the inviting admin.
#include "console/console.h"
#include "core/log.h"
#include "http/error_catalogue.h"
#include "http/form.h"
#include "identity/users_admin.h"

namespace airlock::console {
namespace {

using identity::Role;

constexpr Role kAllRoles[] = {Role::kViewer, Role::kEditor, Role::kAdmin, Role::kOwner};

// The roles `actor` may hand out, with `current` selected.
nlohmann::json role_options(Role actor, Role current) {
  auto out = nlohmann::json::array();
  for (Role r : kAllRoles) {
    if (r == Role::kOwner && actor != Role::kOwner) continue;
    out.push_back({{"value", std::string(identity::role_name(r))}, {"selected", r == current}});
  }
  return out;
}

// Fixed texts for ?done=…, so nothing from the query string is echoed into the page.
std::string notice_for(std::string_view done) {
  if (done == "role") return "Role changed. Their sessions have ended.";
  if (done == "deactivated") return "User deactivated. Their sessions have ended.";
  if (done == "activated") return "User activated. They can sign in again.";
  if (done == "mfa") return "Two-factor authentication reset. Their sessions have ended.";
  if (done == "unlocked") return "User unlocked.";
  if (done == "signed_out") return "User signed out everywhere; their access tokens are revoked. The account stays active.";
  if (done == "signed_out_all") return "Everyone you manage has been signed out; this session stays.";
  return {};
}

}  // namespace

http::Response users_page(Deps& d, const guard::Principal& who, int status, const std::string& error,
                          const std::string& notice) {
  const auto& me = who.user;
  bool owner = me.role == Role::kOwner;
  auto users = identity::list_users(d.identity);
  if (!users) return unreadable_page(d, who);
  auto rows = nlohmann::json::array();
  for (const auto& u : *users) {
    bool self = u.id == me.id;
    rows.push_back({{"id", u.id.str()},
                    {"email", u.email},
                    {"role", std::string(identity::role_name(u.role))},
                    {"active", u.active},
                    {"mfa", u.mfa},
                    {"locked", u.locked},
                    {"self", self},
                    // The same rule the service enforces; hiding the forms only spares a refusal.
                    {"manageable", !self && (owner || u.role != Role::kOwner)},
                    {"roles", role_options(me.role, u.role)}});
  }
  nlohmann::json data = {{"csrf", who.session.csrf_token},
                         {"owner", owner},
                         {"users", rows},
                         {"invite_roles", role_options(me.role, Role::kViewer)},
                         {"invite_hours", d.identity.policies.invite_lifetime.count() / 3600}};
  if (!error.empty()) data["error"] = error;
  return d.render.page(status, "users", data, {.title = "Users", .who = &who, .notice = notice, .active_nav = "users"});
}

http::Response users_list(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  return users_page(d, ctx.who(), 200, "", notice_for(req.query_param("done")));
}

http::Response users_invite(Deps& d, const guard::AdminCtx& ctx, http::Request& req) {
  auto role = identity::parse_role(req.form_field("role"));
  if (!role) return users_page(d, ctx.who(), 422, "Choose a role.", "");
  auto made = identity::invite_user(d.identity, ctx.who().user, req.form_field("email"), *role, origin_of(req));
  if (!made) {
    int status = http::status_for_code(made.status().code());
    if (status == 500) return d.render.message(500, "Something went wrong", "The invite was not saved.",
                                               {.title = "Error", .who = &ctx.who()}, req.request_id);
    return users_page(d, ctx.who(), status, made.status().message(), "");
  }
  nlohmann::json data = {{"email", made->email},
                         {"role", std::string(identity::role_name(made->role))},
                         {"expires", core::format_time_display(core::Clock::SystemTime(std::chrono::seconds(made->expires_at)))},
                         {"link", d.guard.public_origin() + "/invite?token=" + made->token}};
  core::secure_zero(made->token.data(), made->token.size());
  return d.render.page(200, "invite_created", data, {.title = "Invite link", .who = &ctx.who(), .active_nav = "users"});
}

}  // namespace airlock::console
