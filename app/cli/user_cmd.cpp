// `airlock user …`: account operations on the host, for when nobody can sign in yet (the first
// owner) or an owner is locked out. They work on the data dir while the server runs.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "core/files.h"
#include "cli/host.h"
#include "core/log.h"
#include "identity/email.h"
#include "identity/lockout.h"
#include "identity/password_reset.h"
#include "identity/setup.h"
#include "identity/sessions.h"
#include "store/users_repo.h"

namespace airlock::cli {
namespace {

// What the identity services need, from the opened store (no token pepper: these commands mint no
// access tokens).
identity::Deps identity_deps(HostCtx& h) {
  return {*h.store->db, *h.random, h.clock, *h.store->fields, identity::policies_from(h.config), {}};
}

// Reads a line from the terminal with echo off; empty when there is no terminal.
std::string prompt_hidden(const char* prompt) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty) return {};
  int fd = fileno(tty);
  termios old{};
  tcgetattr(fd, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(fd, TCSAFLUSH, &quiet);
  std::fputs(prompt, tty);
  std::fflush(tty);
  char buf[1024] = {};
  std::string line = std::fgets(buf, sizeof buf, tty) ? buf : "";
  core::secure_zero(buf, sizeof buf);
  tcsetattr(fd, TCSAFLUSH, &old);
  std::fputs("\n", tty);
  std::fclose(tty);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string read_password(const ParsedFlags& flags, bool* ok) {
  *ok = false;
  std::string file = flag_value(flags, "--password-file");
  if (!file.empty()) {
    auto read = core::read_small_file(file, 4096);
    if (!read) {
      std::fprintf(stderr, "airlock: cannot read '%s'\n", file.c_str());
      return {};
    }
    std::string pw = std::move(*read);
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
    *ok = true;
    return pw;
  }
  std::string a = prompt_hidden("Password for the owner: ");
  if (a.empty()) {
    std::fputs("airlock: no terminal to ask for the password; use --password-file FILE\n", stderr);
    return {};
  }
  std::string b = prompt_hidden("Repeat it: ");
  if (a != b) {
    std::fputs("airlock: the two passwords differ\n", stderr);
    return {};
  }
  *ok = true;
  return a;
}

int create_owner_cmd(const Args& args) {
  auto flags = parse_flags(args, {"--email", "--password-file"});
  if (flags.help) {
    std::printf("Usage: airlock user create-owner --email=E [--password-file=F] [options]\n\n"
                "Creates the first owner. The password is asked on the terminal (twice), or read from F.\n"
                "Refuses when an owner exists.\n\n%s",
                config_help().c_str());
    return 0;
  }
  std::string email = flag_value(flags, "--email");
  if (email.empty()) {
    std::fputs("airlock: --email=E is required\n", stderr);
    return 2;
  }
  return with_store(flags, [&](HostCtx& h) {
    bool ok = false;
    std::string password = read_password(flags, &ok);
    if (!ok) return 2;
    auto deps = identity_deps(h);
    auto id = identity::create_owner(deps, email, password);
    core::secure_zero(password.data(), password.size());
    if (!id) {
      std::fprintf(stderr, "airlock: %s\n", id.status().message().c_str());
      return id.status().code() == "owner_exists" ? 1 : 2;
    }
    std::fprintf(stderr, "owner created: %s (user %s)\n", identity::normalize_email(email)->c_str(), id->str().c_str());
    return 0;
  });
}

// The frame of a command on one existing user named by --email: its usage text, the flag, the
// store, and one write job that finds the user (exit 1 when there is none) and runs `step`, which
// writes its own audit event. `done` is printed with the e-mail on success.
int on_user(const Args& args, const char* usage, const char* done,
            const std::function<void(HostCtx&, store::Tx&, const store::UserRow&, std::int64_t now)>& step) {
  auto flags = parse_flags(args, {"--email"});
  if (flags.help) {
    std::printf("%s\n%s", usage, config_help().c_str());
    return 0;
  }
  auto email = identity::normalize_email(flag_value(flags, "--email"));
  if (!email) {
    std::fputs("airlock: --email=E is required\n", stderr);
    return 2;
  }
  return with_store(flags, [&](HostCtx& h) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(h.clock.system_now().time_since_epoch()).count();
    auto s = h.store->db->write([&](store::Tx& tx) {
      auto user = store::users::find_by_email(tx, *email);
      if (!user) return core::Status::error("not_found", "no user with this e-mail");
      step(h, tx, *user, now);
      return core::Status::ok();
    });
    if (!s) {
      std::fprintf(stderr, "airlock: %s\n", s.message().c_str());
      return 1;
    }
    std::fprintf(stderr, "%s: %s\n", done, email->c_str());
    return 0;
  });
}

int unlock_cmd(const Args& args) {
  return on_user(args, "Usage: airlock user unlock --email=E [options]\n\nEnds a lockout after failed sign-ins.\n",
                 "unlocked", [](HostCtx& h, store::Tx& tx, const store::UserRow& user, std::int64_t) {
                   auto deps = identity_deps(h);
                   // Both lockouts: every address's and the account's delay (identity/lockout.h).
                   int cleared = identity::clear_lockout(deps, tx, user.id, user.email);
                   audit::append(tx, {.action = "account.unlock", .actor = "cli", .target = "user:" + user.id.str(),
                                      .details_json = R"({"failures_cleared":)" + std::to_string(cleared) + "}"},
                                 core::format_time_utc(h.clock.system_now()));
                 });
}

int reset_password_cmd(const Args& args) {
  auto flags = parse_flags(args, {"--email"});
  if (flags.help) {
    std::printf("Usage: airlock user reset-password --email=E [options]\n\n"
                "Prints a one-time password-reset link for E on stdout (valid for an hour, works once).\n"
                "Meant for the last owner: anyone else can get one from an admin. A user with two-factor\n"
                "authentication on still needs their authenticator or a backup code to use it.\n\n%s",
                config_help().c_str());
    return 0;
  }
  std::string email = flag_value(flags, "--email");
  if (email.empty()) {
    std::fputs("airlock: --email=E is required\n", stderr);
    return 2;
  }
  return with_store(flags, [&](HostCtx& h) {
    auto deps = identity_deps(h);
    auto made = identity::issue_reset_on_host(deps, email);
    if (!made) {
      std::fprintf(stderr, "airlock: %s\n", made.status().message().c_str());
      return made.status().code() == "user_not_found" ? 1 : 2;
    }
    std::fprintf(stderr, "password-reset link for %s, valid until %s (shown once):\n", made->email.c_str(),
                 core::format_time_utc(core::Clock::SystemTime(std::chrono::seconds(made->expires_at))).c_str());
    std::printf("%s/reset?token=%s\n", h.config.public_url.c_str(), made->token.c_str());
    core::secure_zero(made->token.data(), made->token.size());
    return 0;
  });
}

// The last owner's way out when their authenticator is lost too; an operator on the host holds
// the database key anyway. Ends their sessions so nothing signed in keeps going without MFA.
int reset_mfa_cmd(const Args& args) {
  return on_user(args,
                 "Usage: airlock user reset-mfa --email=E [options]\n\n"
                 "Removes E's authenticator and backup codes and ends their sessions and access tokens; they\n"
                 "set up a new authenticator at their next sign-in.\n",
                 "second factor removed", [](HostCtx& h, store::Tx& tx, const store::UserRow& user, std::int64_t now) {
                   int codes = store::users::clear_second_factor(tx, user.id, now);
                   auto ended = identity::end_all_access(tx, user.id, now, "mfa_reset");
                   audit::append(tx, {.action = "user.mfa_reset", .actor = "cli", .target = "user:" + user.id.str(),
                                      .details_json = R"({"backup_codes_removed":)" + std::to_string(codes) +
                                                      R"(,"sessions_ended":)" + std::to_string(ended.sessions) +
                                                      R"(,"tokens_revoked":)" + std::to_string(ended.tokens) + "}"},
                                 core::format_time_utc(h.clock.system_now()));
                 });
}

}  // namespace

int user(const Args& args) {
  std::string sub = args.empty() ? "" : args[0];
  Args rest(args.empty() ? args.begin() : args.begin() + 1, args.end());
  if (sub == "create-owner") return create_owner_cmd(rest);
  if (sub == "unlock") return unlock_cmd(rest);
  if (sub == "reset-password") return reset_password_cmd(rest);
  if (sub == "reset-mfa") return reset_mfa_cmd(rest);
  std::fputs("Usage: airlock user create-owner|unlock|reset-password|reset-mfa [options]\n",
             sub == "--help" ? stdout : stderr);
  return sub == "--help" ? 0 : 2;
}

}  // namespace airlock::cli
