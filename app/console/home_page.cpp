// GET /: the overview every signed-in role sees.
#include "console/console.h"

namespace airlock::console {

http::Response home(Deps& d, const guard::ViewerCtx& ctx, http::Request&) {
  const auto& p = d.identity.policies;
  nlohmann::json data = {{"email", ctx.who().user.email},
                         {"role", std::string(identity::role_name(ctx.who().user.role))},
                         {"idle_minutes", p.session_idle.count() / 60},
                         {"absolute_hours", p.session_absolute.count() / 3600}};
  return d.render.page(200, "home", data, {.title = "Overview", .who = &ctx.who(), .active_nav = "home"});
}

}  // namespace airlock::console
