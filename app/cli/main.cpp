// airlock: the single binary. Dispatches to one function per command (app/cli/*.cpp).
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/process_init.h"

namespace {

constexpr const char* kUsage =
    "Airlock: a self-hosted, security-first gateway for LLM APIs.\n"
    "\n"
    "Usage: airlock <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve           start the gateway and admin console (HTTPS by default)\n"
    "  version         print the version and the versions of linked libraries\n"
    "  config check    validate the configuration and exit (0 ok, 2 problems)\n"
    "  config show     print the effective configuration, secrets redacted\n"
    "  healthcheck     ask the local instance's /healthz (exit 0 healthy, 1 not)\n"
    "  user create-owner --email=E   create the first owner on the host\n"
    "  user unlock --email=E         end a user's lockout\n"
    "  user reset-password --email=E print a one-time password-reset link\n"
    "  user reset-mfa --email=E      remove a user's authenticator (they set up a new one)\n"
    "  sessions revoke --user=E|--all  sign a user, or everyone, out of the console\n"
    "  key create --name=N [...]     create a gateway key (printed once on stdout)\n"
    "  key list | key revoke ID      list or revoke gateway keys\n"
    "\n"
    "Run 'airlock <command> --help' for a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  airlock::cli::init_process();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  using namespace airlock::cli;
  if (cmd == "serve") return serve(rest);
  if (cmd == "version" || cmd == "--version") return version(rest);
  if (cmd == "healthcheck") return healthcheck(rest);
  if (cmd == "user") return user(rest);
  if (cmd == "key") return key(rest);
  if (cmd == "sessions") return sessions(rest);
  if (cmd == "config") {
    std::string sub = rest.empty() ? "" : rest[0];
    std::vector<std::string> sub_rest(rest.empty() ? rest.begin() : rest.begin() + 1, rest.end());
    if (sub == "check") return config_check(sub_rest);
    if (sub == "show") return config_show(sub_rest);
    std::fputs("Usage: airlock config check|show [options]\n", sub == "--help" ? stdout : stderr);
    return sub == "--help" ? 0 : 2;
  }
  std::fprintf(stderr, "airlock: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}
