// The off-box audit copy through the real binary (ASVS V16.4.3): audit events reach a TLS syslog
// receiver as RFC 5424 in RFC 5425 octet-counting frames, with the row id as a sequence number; a
// receiver that restarts sees the run continue without a gap; a receiver whose certificate does
// not verify gets nothing, in clear or otherwise.
#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>

#include "crypto/self_signed.h"
#include "support/console_client.h"
#include "support/syslog_listener.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

struct Cert {
  std::string pem;
  std::string key;
};

Cert make_cert(const std::vector<std::string>& dns, const std::vector<std::string>& ips) {
  auto c = airlock::crypto::generate_self_signed(dns, ips, std::chrono::system_clock::now());
  REQUIRE(c);
  return {c->cert_pem, std::string(reinterpret_cast<const char*>(c->key_pem.data()), c->key_pem.size())};
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

Env syslog_env(const TempDir& d, int port, const std::string& ca_pem) {
  write_text(d / "receiver-ca.pem", ca_pem);
  return {{"AIRLOCK_SYSLOG_TARGET", "127.0.0.1:" + std::to_string(port)},
          {"AIRLOCK_SYSLOG_CA_FILE", d / "receiver-ca.pem"},
          {"AIRLOCK_LOGIN_RATE_LIMIT", "1000"},
          {"AIRLOCK_ARGON2_MEMORY_KIB", "19456"}};
}

// Each failed sign-in with an unknown e-mail is one audit event (login/failure, actor = the e-mail).
void fail_sign_ins(Airlock& a, const std::string& prefix, int n) {
  auto b = browser_for(a);
  for (int i = 0; i < n; ++i)
    CHECK(b.post("/login", {{"email", prefix + std::to_string(i) + "@example.com"}, {"password", "wrong password"}}).status == 401);
}

struct Parsed {
  int pri = 0;
  std::string hostname, app, procid, msgid;
  std::int64_t seq = 0;
  std::string sd, msg;
};

// RFC 5424 §6 with our one SD-ELEMENT; nullopt if `m` does not have that shape.
std::optional<Parsed> parse(const std::string& m) {
  static const std::regex kMsg(
      R"re(<(\d{1,3})>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) )re"
      R"re(([!-~]{1,32}) \[airlock@32473 seq="(\d+)"((?:[^\]\\]|\\.)*)\](?: (.*))?)re");
  std::smatch s;
  if (!std::regex_match(m, s, kMsg)) return std::nullopt;
  return Parsed{std::stoi(s[1]), s[3], s[4], s[5], s[6], std::stoll(s[7]), s[8], s[9]};
}

std::vector<Parsed> parse_all(const std::vector<std::string>& msgs) {
  std::vector<Parsed> out;
  for (const auto& m : msgs) {
    INFO(m);
    auto p = parse(m);
    REQUIRE(p);
    out.push_back(*p);
  }
  return out;
}

bool has_actor(const std::vector<std::string>& msgs, const std::string& email) {
  for (const auto& m : msgs)
    if (m.find("actor=\"" + email + "\"") != std::string::npos) return true;
  return false;
}

auto has_actors(const std::string& prefix, int n) {
  return [=](const std::vector<std::string>& msgs) {
    for (int i = 0; i < n; ++i)
      if (!has_actor(msgs, prefix + std::to_string(i) + "@example.com")) return false;
    return true;
  };
}

// The receiver's view: never a seq past the highest so far + 1 (repeats are resends, allowed).
void check_no_gap(const std::vector<Parsed>& got, std::int64_t* highest) {
  for (const auto& p : got) {
    INFO("seq " << p.seq << " after " << *highest);
    if (*highest > 0) CHECK(p.seq <= *highest + 1);
    *highest = std::max(*highest, p.seq);
  }
}

auto log_msg(const std::string& msg) {
  return [msg](const json& j) { return j.value("msg", "") == msg; };
}

}  // namespace

TEST_CASE("audit events reach a TLS syslog receiver in order and continue without a gap after it restarts",
          "[integration][syslog][V16.4.3]") {
  TempDir d;
  auto cert = make_cert({"localhost"}, {"127.0.0.1"});
  auto receiver = SyslogListener::start(cert.pem, cert.key);
  int port = receiver->port();
  auto a = Airlock::start(d / "data", syslog_env(d, port, cert.pem));
  auto started = a->wait_for_log(log_msg("syslog.forwarder"), 0ms);
  REQUIRE(started);
  CHECK((*started)["target"] == "127.0.0.1:" + std::to_string(port));

  fail_sign_ins(*a, "first", 3);
  INFO(a->all_output());
  REQUIRE(receiver->wait_until(has_actors("first", 3), 10s));
  CHECK_FALSE(receiver->framing_error());
  auto first = parse_all(receiver->messages());
  std::int64_t highest = 0;
  check_no_gap(first, &highest);
  for (const auto& p : first) {
    CHECK(p.app == "airlock");
    CHECK(p.procid == std::to_string(a->pid()));
    if (p.sd.find("actor=\"first") == std::string::npos) continue;
    CHECK(p.pri == 13 * 8 + 4);  // log audit, warning
    CHECK(p.msgid == "login");
    CHECK(p.sd.rfind(" outcome=\"failure\" actor=\"first", 0) == 0);
    CHECK(json::parse(p.msg) == json{{"reason", "unknown_user"}});
  }

  // The receiver goes away; events keep happening; the forwarder notices and retries.
  receiver->stop();
  fail_sign_ins(*a, "during", 3);
  REQUIRE(a->wait_for_log(log_msg("syslog.forwarder: cannot deliver audit events; will retry"), 10s));
  auto restarted = SyslogListener::start(cert.pem, cert.key, port);
  REQUIRE(restarted->wait_until(has_actors("during", 3), 15s));
  REQUIRE(a->wait_for_log(log_msg("syslog.forwarder: delivering again"), 5s));
  auto second = parse_all(restarted->messages());
  REQUIRE_FALSE(second.empty());
  CHECK(second.front().seq <= highest + 1);
  check_no_gap(second, &highest);

  // What was delivered is what the cursor says, and a clean stop keeps it.
  a->send_signal(SIGTERM);
  CHECK(a->wait_exit() == 0);
  std::ifstream in(d / "data/syslog.cursor");
  std::int64_t cursor = 0;
  in >> cursor;
  CHECK(cursor == highest);

  // An event written while the server is down (by the CLI) goes out after the next start.
  write_text(d / "password", kConsolePassword);
  auto owner = run_program({airlock_bin(), "user", "create-owner", "--email=owner@example.com",
                            "--password-file=" + d / "password"},
                           {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_ARGON2_MEMORY_KIB", "19456"}});
  INFO(owner.err);
  REQUIRE(owner.exit_code == 0);
  auto again = Airlock::start(d / "data", syslog_env(d, port, cert.pem));
  auto resumed = again->wait_for_log(log_msg("syslog.forwarder"), 0ms);
  REQUIRE(resumed);
  CHECK((*resumed)["next_seq"] == highest + 1);
  CHECK((*resumed)["pending"] == 1);
  auto created = [](const std::vector<std::string>& msgs) {
    for (const auto& m : msgs)
      if (m.find(" setup.owner_created [") != std::string::npos) return true;
    return false;
  };
  REQUIRE(restarted->wait_until(created, 10s));
  auto third = parse_all(restarted->messages());
  check_no_gap(third, &highest);
}

TEST_CASE("a receiver whose certificate does not verify gets nothing, in clear or otherwise",
          "[integration][syslog][V16.4.3][V12.3.2]") {
  TempDir d;
  auto trusted = make_cert({"localhost"}, {"127.0.0.1"});
  auto stranger = make_cert({"localhost"}, {"127.0.0.1"});  // same names, another key: not our CA
  auto wrong_name = make_cert({"other.example"}, {});        // trusted below, but not for 127.0.0.1
  struct Case {
    const char* name;
    const Cert& served;
    const Cert& trusted;
  };
  for (const Case& c : {Case{"untrusted CA", stranger, trusted}, Case{"wrong name", wrong_name, wrong_name}}) {
    INFO(c.name);
    TempDir run;
    auto receiver = SyslogListener::start(c.served.pem, c.served.key);
    auto a = Airlock::start(run / "data", syslog_env(run, receiver->port(), c.trusted.pem));
    fail_sign_ins(*a, "secret", 2);
    auto refused = a->wait_for_log(log_msg("syslog.forwarder: cannot deliver audit events; will retry"), 10s);
    INFO(a->all_output());
    REQUIRE(refused);
    CHECK((*refused)["code"] == "syslog_tls");
    CHECK((*refused)["reason"].get<std::string>().rfind("receiver certificate refused: ", 0) == 0);
    REQUIRE(receiver->wait_for_failed_handshake(5s));
    CHECK(receiver->handshakes() == 0);
    CHECK(receiver->messages().empty());
    auto raw = receiver->raw();
    CHECK_FALSE(raw.empty());  // the forwarder did connect and offer TLS ...
    for (const char* clear : {"airlock@32473", "secret0", "<108>1", "unknown_user"})
      CHECK(raw.find(clear) == std::string::npos);  // ... and sent none of the payload
  }
}

TEST_CASE("a syslog target without a usable CA stops the start with the key named", "[integration][syslog][V16.4.3]") {
  TempDir d;
  auto missing = Airlock::start_expect_exit(d / "data", {{"AIRLOCK_SYSLOG_TARGET", "127.0.0.1:6514"}});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("AIRLOCK_SYSLOG_CA_FILE: required") != std::string::npos);
  write_text(d / "not-a-ca.pem", "hello\n");
  auto junk = Airlock::start_expect_exit(
      d / "data", {{"AIRLOCK_SYSLOG_TARGET", "127.0.0.1:6514"}, {"AIRLOCK_SYSLOG_CA_FILE", d / "not-a-ca.pem"}});
  CHECK(junk.exit_code == 2);
  CHECK(junk.err.find("AIRLOCK_SYSLOG_CA_FILE: no CA certificate could be loaded") != std::string::npos);
}
