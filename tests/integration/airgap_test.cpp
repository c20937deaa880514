// Air-gap proof: Airlock in a network namespace of its own (loopback only, nothing else routable),
// under strace's connect() log, through setup, the console's pages and /v1 with its one provider
// unreachable. Every connection it attempts must be to that configured upstream or to loopback:
// no telemetry, update check, DNS probe or anything else (SECURITY.md §8; ASVS V1.3.6).
#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <unistd.h>

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "support/console_client.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

// Moves the calling thread into another network namespace and back when it goes out of scope.
class InNetns {
 public:
  explicit InNetns(pid_t pid) {
    home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    entered_ = home_ >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0;
    if (target >= 0) ::close(target);
  }
  ~InNetns() {
    if (entered_) (void)::setns(home_, CLONE_NEWNET);
    if (home_ >= 0) ::close(home_);
  }
  bool entered() const { return entered_; }

 private:
  int home_ = -1;
  bool entered_ = false;
};

}  // namespace

TEST_CASE("in a namespace with only loopback, Airlock connects to nothing but its configured upstream",
          "[integration][egress][airgap][V1.3.6]") {
  TempDir d;
  write_file(d / "vendor.key", kVendorKey);
  // One provider at a public address the namespace cannot reach.
  write_file(d / "provision.json",
             json{{"providers", {{{"name", "cloud"}, {"type", "openai"}, {"base_url", "https://8.8.8.8:443/v1"},
                                  {"api_key_file", d / "vendor.key"}, {"timeouts", {{"connect_ms", 1000}}}}}},
                  {"models", {{{"name", "gpt"}, {"targets", {{{"provider", "cloud"}, {"model", "gpt-4o"}}}}}}}}
                 .dump());
  std::string trace = d / "connect.log";
  auto a = Airlock::start(
      d / "data",
      {{"AIRLOCK_PROVISION_FILE", d / "provision.json"},
       // LeakSanitizer cannot run under ptrace (it would fail the exit); every other test checks leaks.
       {"ASAN_OPTIONS", "detect_leaks=0"},
       {"AIRLOCK_TEST_WRAP", "exec /usr/bin/unshare --net -- /bin/sh -c 'ip link set lo up && exec strace -f -qq "
                             "-e trace=connect -o \"" + trace + "\" \"$0\" \"$@\"' \"$0\" \"$@\""}});
  {
    InNetns inside(a->pid());
    REQUIRE(inside.entered());
    // Setup, sign-in with a second factor, and the console's pages.
    auto ob = owner_browser(*a);
    REQUIRE(sign_in(ob, "owner@example.com").status == 303);
    for (const char* page : {"/", "/models", "/keys", "/usage", "/audit", "/users", "/settings", "/account"}) {
      INFO(page);
      CHECK(ob.get(page).status == 200);
    }
    // A gateway key and /v1: the provider cannot be reached, so a 502 after one attempt.
    std::string k = create_key(d / "data");
    auto r = chat(a->port(), k, "gpt");
    CHECK(r.status == 502);
    CHECK(https_request(a->port(), "GET", "/readyz").status == 200);
  }
  // a->pid() is strace's; Airlock is its child. Stopped gracefully, so strace ends with it.
  std::string children = read_text_file("/proc/" + std::to_string(a->pid()) + "/task/" + std::to_string(a->pid()) + "/children");
  REQUIRE_FALSE(children.empty());
  ::kill(static_cast<pid_t>(std::stol(children)), SIGTERM);
  CHECK(a->wait_exit() == 0);

  auto log = read_text_file(trace);
  INFO(log);
  std::regex connect_line(R"re(connect\((\d+), \{sa_family=(AF_\w+)(.*)\}, \d+\))re");
  std::regex inet(R"re(sin_port=htons\((\d+)\), sin_addr=inet_addr\("([0-9.]+)"\))re");
  std::regex inet6(R"re(sin6_port=htons\((\d+)\), sin6_flowinfo=htonl\(\d+\), inet_pton\(AF_INET6, "([0-9a-f:.]+)")re");
  int to_upstream = 0, to_loopback = 0, lines = 0;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, connect_line)) continue;
    ++lines;
    std::string family = m[2], rest = m[3];
    std::smatch addr;
    INFO(line);
    if (family == "AF_INET" && std::regex_search(rest, addr, inet)) {
      if (addr[2] == "8.8.8.8" && addr[1] == "443") ++to_upstream;
      else if (std::string(addr[2]).rfind("127.", 0) == 0) ++to_loopback;
      else FAIL("a connection to somewhere not configured: " << line);
    } else if (family == "AF_INET6" && std::regex_search(rest, addr, inet6)) {
      if (addr[2] == "::1") ++to_loopback;
      else FAIL("a connection to somewhere not configured: " << line);
    } else {
      FAIL("a connection of another kind: " << line);
    }
  }
  CHECK(lines > 0);        // strace saw the process at all
  CHECK(to_upstream >= 1);  // and the one attempt it should have made
}
