// ASVS V1.3.6: resolve once, check every address, dial only a checked one; TTLs clamped; DNS
// rebinding caught at the next lookup. A scripted resolver and a fake clock: no network, no sleeping.
#include "egress/destination.h"

#include <catch2/catch_test_macros.hpp>

#include <deque>

using namespace airlock;
using namespace airlock::egress;
using namespace std::chrono_literals;

namespace {

// Answers the queued lookups when told to, like a resolver thread would.
class ScriptedResolver final : public Resolver {
 public:
  void resolve(const std::string& host, std::function<void(Answer)> done) override {
    asked.push_back(host);
    pending.push_back(std::move(done));
  }
  void answer(std::vector<const char*> ips, std::chrono::seconds ttl, std::string error = "") {
    REQUIRE_FALSE(pending.empty());
    Answer a;
    for (auto* t : ips) a.addresses.push_back(*core::IpAddress::parse(t));
    a.ttl = ttl;
    a.error = std::move(error);
    auto done = std::move(pending.front());
    pending.pop_front();
    done(std::move(a));
  }
  std::vector<std::string> asked;
  std::deque<std::function<void(Answer)>> pending;
};

Url url(const char* text) {
  std::string err;
  return *parse_url(text, &err);
}

struct Picks {
  std::vector<Pick> got;
  std::function<void(const Pick&)> sink() {
    return [this](const Pick& p) { got.push_back(p); };
  }
};

}  // namespace

TEST_CASE("a destination resolves once for concurrent callers and dials only checked addresses", "[egress][V1.3.6]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  auto d = std::make_shared<Destination>(url("https://api.example.com/v1"), false, policy, dns, clock, nullptr);
  Picks picks;
  d->pick(picks.sink());
  d->pick(picks.sink());
  CHECK(picks.got.empty());
  CHECK(dns.asked.size() == 1);
  dns.answer({"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}, 300s);
  REQUIRE(picks.got.size() == 2);
  CHECK(picks.got[0].address->to_string() == "93.184.215.14");
  // Cached for the TTL: answered at once, no second lookup.
  d->pick(picks.sink());
  REQUIRE(picks.got.size() == 3);
  CHECK(picks.got[2].address);
  CHECK(dns.asked.size() == 1);
  clock.advance(299s);
  d->pick(picks.sink());
  CHECK(dns.asked.size() == 1);
  clock.advance(1s);
  d->pick(picks.sink());
  CHECK(dns.asked.size() == 2);
}

TEST_CASE("an answer with any refused address is refused whole, and rebinding is caught at the next lookup",
          "[egress][V1.3.6]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  auto d = std::make_shared<Destination>(url("https://rebind.example/v1"), false, policy, dns, clock, nullptr);
  Picks picks;
  d->pick(picks.sink());
  dns.answer({"93.184.215.14"}, 1s);  // a TTL under 30 s is held for 30 s
  REQUIRE(picks.got.back().address);
  clock.advance(29s);
  d->pick(picks.sink());
  CHECK(dns.asked.size() == 1);
  CHECK(picks.got.back().address->to_string() == "93.184.215.14");
  clock.advance(1s);
  d->pick(picks.sink());
  REQUIRE(dns.asked.size() == 2);
  dns.answer({"93.184.215.14", "127.0.0.1"}, 60s);  // the second resolution turns inward
  REQUIRE(picks.got.size() == 3);
  CHECK_FALSE(picks.got.back().address);
  CHECK(picks.got.back().error == "egress_refused");
  CHECK(picks.got.back().reason.find("127.0.0.1, loopback") != std::string::npos);
  // The refusal is kept for the TTL too: no connection, no lookup storm.
  d->pick(picks.sink());
  CHECK(picks.got.back().error == "egress_refused");
  CHECK(dns.asked.size() == 2);
  for (const char* inner : {"::ffff:169.254.169.254", "fd00:ec2::254", "10.0.0.1", "64:ff9b::a00:1"}) {
    clock.advance(3600s);
    d->pick(picks.sink());
    dns.answer({inner}, 3600s);
    INFO(inner);
    CHECK(picks.got.back().error == "egress_refused");
  }
}

TEST_CASE("TTLs are clamped to 30 s - 1 h and failed lookups are not kept", "[egress]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  auto d = std::make_shared<Destination>(url("https://api.example.com/"), false, policy, dns, clock, nullptr);
  Picks picks;
  d->pick(picks.sink());
  dns.answer({}, 0s, "timeout");
  CHECK(picks.got.back().error == "dns_failed");
  d->pick(picks.sink());  // asks again at once
  CHECK(dns.asked.size() == 2);
  dns.answer({"8.8.8.8"}, 86400s);
  CHECK(picks.got.back().address);
  clock.advance(3599s);
  d->pick(picks.sink());
  CHECK(dns.asked.size() == 2);
  clock.advance(1s);
  d->pick(picks.sink());
  CHECK(dns.asked.size() == 3);
}

TEST_CASE("literal destinations need no lookup; operator-internal ones skip the policy", "[egress][V1.3.6]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  Picks picks;
  auto lit = std::make_shared<Destination>(url("https://127.0.0.1:9/"), false, policy, dns, clock, nullptr);
  lit->pick(picks.sink());
  CHECK(picks.got.back().error == "egress_refused");
  auto pub = std::make_shared<Destination>(url("https://8.8.8.8/"), false, policy, dns, clock, nullptr);
  pub->pick(picks.sink());
  CHECK(picks.got.back().address->to_string() == "8.8.8.8");
  auto internal = std::make_shared<Destination>(url("http://127.0.0.1:9/"), true, policy, dns, clock, nullptr);
  internal->pick(picks.sink());
  CHECK(picks.got.back().address->to_string() == "127.0.0.1");
  auto internal_name = std::make_shared<Destination>(url("http://vllm.lan:8000/"), true, policy, dns, clock, nullptr);
  internal_name->pick(picks.sink());
  dns.answer({"10.1.1.1"}, 60s);
  CHECK(picks.got.back().address->to_string() == "10.1.1.1");
  CHECK(dns.asked.size() == 1);
}

TEST_CASE("a pick carries the answer's other checked addresses, and one that will not connect goes last",
          "[egress]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  auto d = std::make_shared<Destination>(url("https://dual.example/"), false, policy, dns, clock, nullptr);
  Picks picks;
  d->pick(picks.sink());
  dns.answer({"2001:4860::1", "8.8.8.8", "8.8.4.4"}, 300s);
  auto first = picks.got.back();
  CHECK(first.address->to_string() == "2001:4860::1");
  REQUIRE(first.others.size() == 2);
  d->demote(*core::IpAddress::parse("8.8.8.8"));  // not the preferred one: nothing changes
  d->pick(picks.sink());
  CHECK(picks.got.back().address->to_string() == "2001:4860::1");
  d->demote(*first.address);
  d->pick(picks.sink());
  CHECK(picks.got.back().address->to_string() == "8.8.8.8");
  CHECK(picks.got.back().others.back().to_string() == "2001:4860::1");
  CHECK(dns.asked.size() == 1);
}

TEST_CASE("through the egress proxy the tunnel starts at the proxy; what Airlock's own DNS knows of the name still counts",
          "[egress][proxy][V1.3.6]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  ProxySettings proxy{url("http://proxy.lan:3128"), "", {}};
  Picks picks;
  auto d = std::make_shared<Destination>(url("https://api.openai.com/v1"), false, policy, dns, clock, nullptr, &proxy);
  CHECK(d->dial_port() == 3128);
  CHECK(d->tunnel_head().rfind("CONNECT api.openai.com:443 HTTP/1.1\r\n", 0) == 0);
  d->pick(picks.sink());
  REQUIRE(dns.asked == std::vector<std::string>{"api.openai.com"});
  dns.answer({}, 0s, "timeout");  // a locked-down network's DNS knows nothing outside: left to the proxy
  REQUIRE(dns.asked.back() == "proxy.lan");
  dns.answer({"10.0.0.3"}, 300s);  // a private address: the operator's own proxy, not judged
  REQUIRE(picks.got.back().address);
  CHECK(picks.got.back().via_proxy);
  CHECK(picks.got.back().address->to_string() == "10.0.0.3");
  // Both answers are kept: the next request waits for neither.
  d->pick(picks.sink());
  CHECK(picks.got.back().via_proxy);
  CHECK(dns.asked.size() == 2);

  // A name Airlock's DNS resolves inward is refused before the proxy is asked (split-horizon names).
  auto inward_name = std::make_shared<Destination>(url("https://vault.corp.example/v1"), false, policy, dns, clock, nullptr, &proxy);
  inward_name->pick(picks.sink());
  dns.answer({"10.20.0.7"}, 300s);
  CHECK(picks.got.back().error == "egress_refused");
  CHECK(dns.asked.back() == "vault.corp.example");
  // A literal inward address is refused without a lookup.
  auto inward = std::make_shared<Destination>(url("https://169.254.169.254/"), false, policy, dns, clock, nullptr, &proxy);
  auto asked = dns.asked.size();
  inward->pick(picks.sink());
  CHECK(picks.got.back().error == "egress_refused");
  CHECK(dns.asked.size() == asked);
  // Excluded by NO_PROXY: the destination's own name, dialled directly.
  ProxySettings excluded{url("http://proxy.lan:3128"), "", {{"openai.com", std::nullopt, "openai.com"}}};
  auto direct = std::make_shared<Destination>(url("https://api.openai.com/v1"), false, policy, dns, clock, nullptr, &excluded);
  CHECK(direct->dial_port() == 443);
  CHECK(direct->tunnel_head().empty());
  direct->pick(picks.sink());
  CHECK(dns.asked.back() == "api.openai.com");
  dns.answer({"8.8.8.8"}, 60s);
  CHECK_FALSE(picks.got.back().via_proxy);
}

TEST_CASE("a blocking pick returns the answer, or a DNS failure once its time is up", "[egress]") {
  core::FakeClock clock;
  ScriptedResolver dns;
  Policy policy;
  auto literal = std::make_shared<Destination>(url("https://192.0.2.10:6514/"), true, policy, dns, clock, nullptr);
  CHECK(pick_blocking(*literal, 0ms).address->to_string() == "192.0.2.10");  // the operator's: not judged
  auto name = std::make_shared<Destination>(url("https://syslog.example:6514/"), true, policy, dns, clock, nullptr);
  auto late = pick_blocking(*name, 0ms);  // the scripted resolver has not answered
  CHECK_FALSE(late.address);
  CHECK(late.error == "dns_failed");
  dns.answer({"192.0.2.11"}, 60s);  // answering afterwards harms nothing
  CHECK(pick_blocking(*name, 0ms).address->to_string() == "192.0.2.11");
}
