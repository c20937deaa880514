// `airlock sessions revoke --user=E | --all`: signs one user or everyone out of the console from
// the host (works while the server runs; a session is checked against the store on every request).
// For one user their access tokens are revoked too, as by the console's "Sign out"; --all ends
// console sessions only (automations' tokens are revoked per user, deliberately).
#include <cstdio>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/host.h"
#include "core/log.h"
#include "identity/email.h"
#include "identity/sessions.h"
#include "store/sessions_repo.h"
#include "store/users_repo.h"

namespace airlock::cli {
namespace {

int revoke_cmd(const Args& args) {
  auto flags = parse_flags(args, {"--user", "--all"});
  if (flags.help) {
    std::printf("Usage: airlock sessions revoke --user=E | --all [options]\n\n"
                "Ends every console session of user E (and revokes E's access tokens), or every console\n"
                "session of every user (access tokens stay). Accounts stay active.\n\n%s",
                config_help().c_str());
    return 0;
  }
  std::string email_raw = flag_value(flags, "--user");
  bool all = has_flag(flags, "--all");
  if (email_raw.empty() == !all) {
    std::fputs("airlock: give exactly one of --user=E or --all\n", stderr);
    return 2;
  }
  std::optional<std::string> email;
  if (!all) {
    email = identity::normalize_email(email_raw);
    if (!email) {
      std::fputs("airlock: --user=E needs an e-mail address\n", stderr);
      return 2;
    }
  }
  return with_store(flags, [&](HostCtx& h) {
    int ended = 0;
    int revoked = 0;
    auto now = std::chrono::duration_cast<std::chrono::seconds>(h.clock.system_now().time_since_epoch()).count();
    auto s = h.store->db->write([&](store::Tx& tx) {
      audit::Event e{.action = "sessions.revoke_all", .actor = "cli", .target = "sessions:all"};
      if (all) {
        ended = store::sessions::end_all(tx, core::SessionId(0), true, now, "revoked_on_host");
      } else {
        auto user = store::users::find_by_email(tx, *email);
        if (!user) return core::Status::error("not_found", "no user with this e-mail");
        // As the console's "Sign out": one user's access tokens go too.
        auto done = identity::end_all_access(tx, user->id, now, "revoked_on_host");
        ended = done.sessions;
        revoked = done.tokens;
        e.action = "user.sessions_revoke";
        e.target = "user:" + user->id.str();
      }
      e.details_json = R"({"sessions_ended":)" + std::to_string(ended) + R"(,"tokens_revoked":)" +
                       std::to_string(revoked) + "}";
      audit::append(tx, e, core::format_time_utc(h.clock.system_now()));
      return core::Status::ok();
    });
    if (!s) {
      std::fprintf(stderr, "airlock: %s\n", s.message().c_str());
      return 1;
    }
    std::fprintf(stderr, "sessions ended: %d, access tokens revoked: %d\n", ended, revoked);
    return 0;
  });
}

}  // namespace

int sessions(const Args& args) {
  std::string sub = args.empty() ? "" : args[0];
  Args rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
  if (sub == "revoke") return revoke_cmd(rest);
  std::fputs("Usage: airlock sessions revoke --user=E|--all [options]\n", sub == "--help" ? stdout : stderr);
  return sub == "--help" ? 0 : 2;
}

}  // namespace airlock::cli
