// Egress (SECURITY.md "Egress"): every way a destination reaches Airlock — the provisioning file,
// `airlock config check`, the console form, the management API, and names that resolve inward —
// is refused with its reason, and a loopback listener counting accepts shows no connection is ever
// attempted to a refused address. DNS answers come from a scripted server through a resolv.conf
// bound over the system's in a mount namespace of Airlock's own (ASVS V1.3.6, V12.3.x).
#include <catch2/catch_test_macros.hpp>

#include <future>

#include "support/console_client.h"
#include "support/dns_server.h"
#include "support/gateway_fixture.h"

using namespace airlock::testing;
using nlohmann::json;

namespace {

std::string problems_of(const HttpReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("problems", json::array()).dump() : "";
}

Api owner_api(Browser& b) {
  Api c{b.port, b.origin, "", b.cookie, ""};
  c.csrf = json::parse(c.call("GET", "/api/v1/me").body)["csrf_token"];
  return c;
}

// Spellings of places Airlock must not connect to on an admin's say-so, each with a word its reason names.
struct Inward {
  std::string url;
  const char* reason;
};
std::vector<Inward> inward_urls(int port) {
  auto p = std::to_string(port);
  return {{"https://127.0.0.1:" + p + "/v1", "loopback"},
          {"https://[::ffff:127.0.0.1]:" + p + "/v1", "loopback"},
          {"https://[::ffff:7f00:1]:" + p + "/v1", "loopback"},
          {"https://localhost:" + p + "/v1", "loopback"},
          {"https://169.254.169.254/latest/meta-data", "cloud metadata"},
          {"https://[fd00:ec2::254]/", "cloud metadata"},
          {"https://10.0.0.1/v1", "private"},
          {"https://[64:ff9b::7f00:1]:" + p + "/", "loopback"},
          {"http://api.example.com/v1", "plain http"},
          {"https://127.1:" + p + "/", "dotted-quad"},
          {"https://2130706433:" + p + "/", "dotted-quad"},
          {"https://0x7f000001:" + p + "/", "dotted-quad"},
          {"https://0177.0.0.1:" + p + "/", "dotted-quad"},
          {"https://api.example.com@127.0.0.1:" + p + "/", "credentials"},
          {"http://a.example#@127.0.0.1:" + p + "/", "query or fragment"},
          {"https://api.example.com\\@127.0.0.1:" + p + "/", "backslash"}};
}

}  // namespace

TEST_CASE("the provisioning file and config check refuse inward destinations with their reasons, and nothing is dialled",
          "[integration][egress][provision][V1.3.6]") {
  TempDir d;
  AcceptCounter listener;
  REQUIRE(listener.start("127.0.0.1"));
  auto urls = inward_urls(listener.port());
  json prov = {{"providers", json::array()}, {"models", json::array()}};
  for (std::size_t i = 0; i < urls.size(); ++i)
    prov["providers"].push_back({{"name", "p" + std::to_string(i)}, {"type", "openai"}, {"base_url", urls[i].url}});
  write_file(d / "provision.json", prov.dump());
  Env env = {{"AIRLOCK_PROVISION_FILE", d / "provision.json"}};

  auto started = Airlock::start_expect_exit(d / "data", env);
  CHECK(started.exit_code == 2);
  auto checked = run_program({airlock_bin(), "config", "check"}, {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_PROVISION_FILE", d / "provision.json"}});
  CHECK(checked.exit_code == 2);
  for (std::size_t i = 0; i < urls.size(); ++i) {
    std::string place = "providers[" + std::to_string(i) + "].base_url: ";
    INFO(urls[i].url << "\n" << started.err << "\n" << checked.err);
    for (const auto* out : {&started.err, &checked.err}) {
      auto at = out->find(place);
      REQUIRE(at != std::string::npos);
      CHECK(out->substr(at, out->find('\n', at) - at).find(urls[i].reason) != std::string::npos);
    }
  }
  CHECK(listener.accepted() == 0);

  // The operator's own file may open the loopback vendor by marking it internal; the same URL is
  // then fine for both.
  write_file(d / "ok.json", json{{"providers", {{{"name", "local"}, {"type", "openai"}, {"internal", true},
                                                 {"base_url", "http://127.0.0.1:" + std::to_string(listener.port()) + "/v1"}}}}}
                                .dump());
  auto ok = run_program({airlock_bin(), "config", "check"}, {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_PROVISION_FILE", d / "ok.json"}});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("config check finds what serve would: a missing or malformed provisioning file, a bad allowlist, unreadable files",
          "[integration][egress][cli]") {
  TempDir d;
  write_file(d / "broken.json", "{\"providers\": [");
  struct Case {
    Env env;
    const char* says;
  };
  const Case cases[] = {
      {{{"AIRLOCK_PROVISION_FILE", d / "missing.json"}}, "AIRLOCK_PROVISION_FILE: cannot read"},
      {{{"AIRLOCK_PROVISION_FILE", d / "broken.json"}}, "provision file: is not valid JSON"},
      {{{"AIRLOCK_EGRESS_ALLOW", "10.0.0.0/8:0443"}}, "AIRLOCK_EGRESS_ALLOW: '10.0.0.0/8:0443' has a port outside 1-65535"},
      {{{"AIRLOCK_EGRESS_ALLOW", "vllm.corp"}}, "names a host without a port"},
      {{{"AIRLOCK_EGRESS_ALLOW", "127.1:80"}}, "is not an IP address or network"},
      {{{"AIRLOCK_UPSTREAM_CA_FILE", d / "nope.pem"}}, "AIRLOCK_UPSTREAM_CA_FILE: '"},
      {{{"AIRLOCK_TLS_CERT_FILE", d.path()}, {"AIRLOCK_TLS_KEY_FILE", d / "k.pem"}}, "is not a file"},
  };
  for (const auto& c : cases) {
    Env env = c.env;
    env["AIRLOCK_DATA_DIR"] = d / "data";
    auto r = run_program({airlock_bin(), "config", "check"}, env);
    INFO(c.says << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.says) != std::string::npos);
  }
  auto fine = run_program({airlock_bin(), "config", "check"},
                          {{"AIRLOCK_DATA_DIR", d / "data"}, {"AIRLOCK_EGRESS_ALLOW", "vllm.corp:8000, 10.0.0.0/8:443, [fd00::/8]"}});
  INFO(fine.err);
  CHECK(fine.exit_code == 0);
}

TEST_CASE("admins cannot aim a provider inward through the API or the console form; the reason is shown",
          "[integration][egress][console][V1.3.6]") {
  AcceptCounter listener;
  REQUIRE(listener.start("127.0.0.1"));
  // The operator opens one other loopback port (the mock vendor), nothing else.
  TempDir holder;
  auto mock = MockUpstream::start(holder);
  Gateway g(kMockProvision, {{"AIRLOCK_EGRESS_ALLOW", "127.0.0.1:" + std::to_string(mock->port)}});
  auto& a = *g.airlock;
  auto ob = owner_browser(a);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = owner_api(ob);

  for (const auto& in : inward_urls(listener.port())) {
    INFO(in.url);
    auto r = owner.call("POST", "/api/v1/providers",
                        json{{"name", "inward"}, {"type", "openai"}, {"base_url", in.url}, {"api_key", "sk-x-0123456789"}}.dump());
    CHECK(r.status == 422);
    CHECK(error_code(r) == "invalid_fields");
    CHECK(problems_of(r).find(in.reason) != std::string::npos);
  }
  // "internal" is the operator's word only.
  auto internal = owner.call("POST", "/api/v1/providers",
                             json{{"name", "inward"}, {"type", "openai"}, {"internal", true},
                                  {"base_url", "http://127.0.0.1:" + std::to_string(listener.port()) + "/v1"}}.dump());
  CHECK(internal.status == 422);
  CHECK(problems_of(internal).find("provider.internal: only the host operator") != std::string::npos);
  // What the operator allowed is accepted, plain http included; an existing provider cannot be moved inward.
  auto allowed = owner.call("POST", "/api/v1/providers",
                            json{{"name", "on-prem"}, {"type", "openai"}, {"base_url", mock->base("/v1")}}.dump());
  REQUIRE(allowed.status == 201);
  auto id = std::to_string(json::parse(allowed.body)["id"].get<std::int64_t>());
  auto moved = owner.call("PATCH", "/api/v1/providers/" + id,
                          json{{"base_url", "http://127.0.0.1:" + std::to_string(listener.port()) + "/v1"}}.dump());
  CHECK(moved.status == 422);
  CHECK(problems_of(moved).find("loopback") != std::string::npos);

  // The console form says why, next to the field, and keeps what was typed.
  auto page = ob.get("/models");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("which now allows: <code>127.0.0.1:" + std::to_string(mock->port) + "</code>") != std::string::npos);
  CHECK(page.body.find("name=\"internal\"") == std::string::npos);  // no checkbox that opens everything
  auto form = ob.post("/providers", {{"csrf", field(page.body, "csrf")},
                                     {"name", "metadata"},
                                     {"type", "openai"},
                                     {"base_url", "https://169.254.169.254/latest"},
                                     {"internal", "on"},
                                     {"api_key", "sk-form-0123456789"}});
  CHECK(form.status == 422);
  CHECK(form.body.find("Base URL: 169.254.169.254 is cloud metadata") != std::string::npos);
  CHECK(form.body.find("AIRLOCK_EGRESS_ALLOW") != std::string::npos);
  CHECK(form.body.find("value=\"https://169.254.169.254/latest\"") != std::string::npos);
  CHECK(listener.accepted() == 0);
}

TEST_CASE("a provider the policy accepted when it was saved is refused at request time once the allowlist no longer opens it",
          "[integration][egress][console][V1.3.6]") {
  Gateway g(kMockProvision, {{"AIRLOCK_EGRESS_ALLOW", "127.0.0.1"}});
  auto ob = owner_browser(*g.airlock);
  REQUIRE(sign_in(ob, "owner@example.com").status == 303);
  auto owner = owner_api(ob);
  REQUIRE(owner.call("POST", "/api/v1/providers",
                     json{{"name", "on-prem"}, {"type", "openai"}, {"base_url", g.mock->base("/v1")}}.dump())
              .status == 201);
  REQUIRE(owner.call("POST", "/api/v1/models",
                     json{{"name", "on-prem-model"}, {"targets", {{{"provider", "on-prem"}, {"model", "gpt-upstream"}}}}}.dump())
              .status == 201);
  auto key = g.key();
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"on-prem-model","messages":[]})").status == 200);
  auto seen = g.mock->requests().size();

  // The operator narrows the allowlist and restarts: the stored row is judged by today's policy.
  g.airlock.reset();
  g.airlock = Airlock::start(g.dir / "data", {{"AIRLOCK_PROVISION_FILE", g.dir / "provision.json"}});
  auto r = g.post("/v1/chat/completions", key, R"({"model":"on-prem-model","messages":[]})");
  CHECK(r.status == 502);
  CHECK(error_code(r) == "upstream_egress_refused");
  CHECK(g.mock->requests().size() == seen);
  CHECK(g.airlock->wait_for_log([](const json& j) { return j.value("msg", "") == "egress_refused"; }));
  // The provisioned, operator-internal providers on the same mock still work.
  CHECK(g.post("/v1/chat/completions", key, R"({"model":"gpt-test","messages":[]})").status == 200);
}

TEST_CASE("names that resolve inward are refused at connect time; a pinned answer is dialled until its TTL; "
          "a slow lookup does not hold up other requests",
          "[integration][egress][dns][V1.3.6]") {
  TempDir d;
  // Two loopback addresses on one port: .2 the operator allows, .3 nobody does.
  AcceptCounter allowed, refused;
  REQUIRE(allowed.start("127.0.0.2"));
  REQUIRE(refused.start("127.0.0.3", allowed.port()));
  DnsServer dns;
  REQUIRE(dns.start("127.0.0.77"));
  dns.set("inward.test", {{{"127.0.0.3"}}, 300, {}});
  dns.set("mixed.test", {{{"127.0.0.2", "127.0.0.3"}}, 300, {}});
  dns.set("rebind.test", {{{"127.0.0.2"}, {"127.0.0.3"}}, 1, {}});  // first answer allowed, every later one inward
  dns.set("slow.test", {{{"127.0.0.2"}}, 300, std::chrono::milliseconds(2000)});
  write_file(d / "resolv.conf", "nameserver 127.0.0.77\n", 0644);
  write_file(d / "hosts", "127.0.0.1 localhost\n127.0.0.3 hosts-inward.test\n", 0644);

  auto port = std::to_string(allowed.port());
  auto mock = MockUpstream::start(d);
  json prov = {{"providers",
                {{{"name", "mock"}, {"type", "openai"}, {"base_url", mock->base("/v1")}, {"internal", true}}}},
               {"models", {{{"name", "fast"}, {"targets", {{{"provider", "mock"}, {"model", "gpt-upstream"}}}}}}}};
  for (const char* name : {"inward", "hosts-inward", "mixed", "rebind", "slow", "missing"}) {
    prov["providers"].push_back({{"name", name}, {"type", "openai"}, {"base_url", std::string("https://") + name + ".test:" + port + "/v1"}});
    prov["models"].push_back({{"name", name}, {"targets", {{{"provider", name}, {"model", "m"}}}}});
  }
  // A name that does not resolve (not at start either: no error then) passes the request on.
  prov["models"].push_back({{"name", "missing-then-mock"},
                            {"targets", {{{"provider", "missing"}, {"model", "m"}}, {{"provider", "mock"}, {"model", "gpt-upstream"}}}}});
  write_file(d / "provision.json", prov.dump());
  auto a = Airlock::start(d / "data", {{"AIRLOCK_PROVISION_FILE", d / "provision.json"},
                                       {"AIRLOCK_EGRESS_ALLOW", "127.0.0.2"},
                                       {"AIRLOCK_TEST_MOUNTS", d / "resolv.conf" + ":/etc/resolv.conf;" + d / "hosts" + ":/etc/hosts"}});
  std::string k = create_key(d / "data");
  auto call = [&](const std::string& model) { return chat(a->port(), k, model); };

  SECTION("an answer with a refused address is refused whole and logged; nothing is dialled") {
    for (const char* model : {"inward", "hosts-inward", "mixed"}) {
      INFO(model);
      auto r = call(model);
      CHECK(r.status == 502);
      CHECK(error_code(r) == "upstream_egress_refused");
      auto logged = a->wait_for_log([&](const json& j) {
        return j.value("msg", "") == "egress_refused" && j.value("host", "") == std::string(model) + ".test";
      });
      REQUIRE(logged);
      CHECK((*logged)["reason"].get<std::string>().find("127.0.0.3, loopback") != std::string::npos);
    }
    CHECK(dns.queries("inward.test") == 1);
    CHECK(dns.queries("mixed.test") == 1);
    CHECK(dns.queries("hosts-inward.test") == 0);  // /etc/hosts answered
    CHECK(allowed.accepted() == 0);
    CHECK(refused.accepted() == 0);
  }

  SECTION("a name that does not resolve is a connection failure: the next target serves") {
    auto alone = call("missing");
    CHECK(alone.status == 502);
    CHECK(error_code(alone) == "upstream_unreachable");
    CHECK(call("missing-then-mock").status == 200);
    CHECK(a->wait_for_log([](const json& j) {
      return j.value("msg", "") == "egress_dns_failed" && j.value("host", "") == "missing.test";
    }));
    CHECK(allowed.accepted() == 0);
    CHECK(refused.accepted() == 0);
  }

  SECTION("the checked address is dialled again while its answer lasts; the rebound answer is never used") {
    auto first = call("rebind");
    CHECK(first.status == 502);  // the listener is no vendor: it only counts
    CHECK(allowed.accepted() == 1);
    auto second = call("rebind");
    CHECK(second.status == 502);
    CHECK(allowed.accepted() == 2);
    CHECK(dns.queries("rebind.test") == 1);  // pinned for at least 30 s, whatever the TTL said
    CHECK(refused.accepted() == 0);
  }

  SECTION("while one request waits 2 s for DNS, others on the same loops are served") {
    auto t0 = std::chrono::steady_clock::now();
    auto slow = std::async(std::launch::async, [&] { return call("slow"); });
    // Until the slow lookup has been asked for, the other requests prove nothing.
    for (int i = 0; i < 200 && dns.queries("slow.test") == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(dns.queries("slow.test") == 1);
    for (int i = 0; i < 8; ++i) {
      auto r = call("fast");
      CHECK(r.status == 200);
    }
    auto fast_done = std::chrono::steady_clock::now() - t0;
    CHECK(slow.wait_for(std::chrono::seconds(0)) != std::future_status::ready);  // still waiting for DNS
    auto s = slow.get();
    auto slow_done = std::chrono::steady_clock::now() - t0;
    CHECK(s.status == 502);  // it connected (to the counting listener) once DNS answered
    CHECK(allowed.accepted() == 1);
    CHECK(fast_done < std::chrono::milliseconds(1500));
    CHECK(slow_done >= std::chrono::milliseconds(1900));
  }
}
