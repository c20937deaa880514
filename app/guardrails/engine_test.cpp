// Policies, custom rules and the actions applied to text; the stream hold-back that keeps a
// detection whole across event boundaries (ASVS V14.2.4).
#include "guardrails/engine.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

#include "guardrails/stream_text.h"

using namespace airlock::guardrails;
using nlohmann::json;

namespace {

std::shared_ptr<const Engine> engine(const json& j) {
  auto p = read_policy(j);
  if (auto* bad = std::get_if<PolicyProblem>(&p)) FAIL(bad->field + ": " + bad->message);
  auto e = Engine::build(std::get<Policy>(p));
  if (auto* bad = std::get_if<PolicyProblem>(&e)) FAIL(bad->field + ": " + bad->message);
  return std::get<std::shared_ptr<const Engine>>(e);
}

std::string problem_field(const json& j) {
  auto p = read_policy(j);
  if (auto* bad = std::get_if<PolicyProblem>(&p)) return bad->field;
  auto e = Engine::build(std::get<Policy>(p));
  if (auto* bad = std::get_if<PolicyProblem>(&e)) return bad->field;
  return "";
}

}  // namespace

TEST_CASE("policy JSON: shorthand, per detector, rules, and every refusal names its field", "[guardrails]") {
  Policy defaults;
  CHECK(defaults.requests.base == Action::kMonitor);
  CHECK(defaults.responses.base == Action::kMonitor);
  auto p = std::get<Policy>(read_policy(json::parse(R"({"requests":"mask","responses":{"default":"off","secret":"block"},
      "rules":[{"name":"codenames","keywords":["bluebird"],"action":"block","applies_to":"requests"}]})")));
  CHECK(p.requests.of(Detector::kEmail) == Action::kMask);
  CHECK(p.responses.of(Detector::kEmail) == Action::kOff);
  CHECK(p.responses.of(Detector::kSecret) == Action::kBlock);
  REQUIRE(p.rules.size() == 1);
  CHECK(p.rules[0].label == "[CODENAMES]");
  CHECK_FALSE(p.rules[0].responses);
  // Round trip through the written form.
  CHECK(std::get<Policy>(read_policy(write_policy(p))) == p);

  CHECK(problem_field(json::parse(R"({"requests":"redact"})")) == "requests");
  CHECK(problem_field(json::parse(R"({"requests":{"iban":"mask"}})")) == "requests.iban");
  CHECK(problem_field(json::parse(R"({"requests":{"email":1}})")) == "requests.email");
  CHECK(problem_field(json::parse(R"({"extra":true})")) == "extra");
  CHECK(problem_field(json::parse(R"([])")) == "guardrails");
  CHECK(problem_field(json::parse(R"({"rules":{}})")) == "rules");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"Bad Name","keywords":["x"]}]})")) == "rules[0].name");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a"}]})")) == "rules[0]");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","pattern":"x","keywords":["y"]}]})")) == "rules[0]");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","keywords":[]}]})")) == "rules[0].keywords");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","keywords":["ok",""]}]})")) == "rules[0].keywords[1]");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","pattern":"x","label":"<b>\n"}]})")) == "rules[0].label");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","pattern":"x","applies_to":"logs"}]})")) == "rules[0].applies_to");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","pattern":"x"},{"name":"a","pattern":"y"}]})")) == "rules[1].name");
  CHECK(problem_field(json::parse(R"({"rules":[{"name":"a","pattern":"x","colour":"red"}]})")) == "rules[0].colour");
  json many = json::array();
  for (int i = 0; i < 65; ++i) many.push_back({{"name", "r" + std::to_string(i)}, {"pattern", "x"}});
  CHECK(problem_field(json{{"rules", many}}) == "rules");
  CHECK(problem_field(json{{"rules", {{{"name", "a"}, {"pattern", std::string(1025, 'x')}}}}}) == "rules[0].pattern");
}

TEST_CASE("a rule that does not compile is refused with RE2's reason", "[guardrails]") {
  for (const char* bad : {"(unclosed", "a{2,1}", "[z-a]", "(?<name", "x**", "\\p{Nonsense}"}) {
    INFO(bad);
    auto p = std::get<Policy>(read_policy(json{{"rules", {{{"name", "r"}, {"pattern", bad}}}}}));
    auto e = Engine::build(p);
    REQUIRE(std::holds_alternative<PolicyProblem>(e));
    CHECK(std::get<PolicyProblem>(e).field == "rules[0].pattern");
    CHECK(std::get<PolicyProblem>(e).message.find("does not compile") != std::string::npos);
  }
  // Backreferences and lookaround are not linear-time: RE2 has neither.
  for (const char* bad : {"(a)\\1", "a(?=b)", "(?<!x)y"}) {
    auto p = std::get<Policy>(read_policy(json{{"rules", {{{"name", "r"}, {"pattern", bad}}}}}));
    CHECK(std::holds_alternative<PolicyProblem>(Engine::build(p)));
  }
}

TEST_CASE("actions: monitor counts, mask replaces, block refuses without changing the text", "[guardrails]") {
  std::string text = "Mail ann@example.com, card 4111 1111 1111 1111, project Bluebird, id EMP-004211.";
  auto run = [&](const json& policy, const KeyOverride& key = {}) {
    std::string t = text;
    Tally tally;
    bool ok = engine(policy)->apply(t, Direction::kRequest, key, tally);
    return std::tuple{ok, t, tally};
  };
  json rules = {{{"name", "codenames"}, {"keywords", {"bluebird", "red kite"}}, {"label", "[CODENAME]"}, {"action", "mask"}},
                {{"name", "employee-id"}, {"pattern", "\\bEMP-[0-9]{6}\\b"}, {"action", "mask"}}};
  {
    auto [ok, t, tally] = run({{"requests", "monitor"}});
    CHECK(ok);
    CHECK(t == text);
    CHECK(tally.found[static_cast<int>(Detector::kEmail)] == 1);
    CHECK(tally.found[static_cast<int>(Detector::kCard)] == 1);
    CHECK(tally.masked == 0);
  }
  {
    auto [ok, t, tally] = run({{"requests", "mask"}, {"rules", rules}});
    CHECK(ok);
    CHECK(t == "Mail [EMAIL], card [CARD], project [CODENAME], id [EMPLOYEE_ID].");
    CHECK(tally.masked == 4);
    CHECK(tally.total() == 4);
  }
  {
    auto [ok, t, tally] = run({{"requests", {{"default", "mask"}, {"card", "block"}}}});
    CHECK_FALSE(ok);
    CHECK(t == text);
    CHECK(tally.blocked_by == "card");
  }
  {
    json blocking = rules;
    blocking[0]["action"] = "block";
    auto [ok, t, tally] = run({{"requests", "off"}, {"rules", blocking}});
    CHECK_FALSE(ok);
    CHECK(tally.blocked_by == "codenames");
    CHECK(tally.found[static_cast<int>(Detector::kEmail)] == 0);  // off is not even counted
  }
  // A key's override wins both ways: loosen a blocking policy, tighten a monitoring one.
  {
    auto [ok, t, tally] = run({{"requests", "block"}}, KeyOverride{Action::kOff, std::nullopt});
    CHECK(ok);
    CHECK(t == text);
    CHECK(tally.total() == 0);
  }
  {
    auto [ok, t, tally] = run({{"requests", "monitor"}}, KeyOverride{Action::kMask, std::nullopt});
    CHECK(ok);
    CHECK(t == "Mail [EMAIL], card [CARD], project Bluebird, id EMP-004211.");
  }
  // Direction matters: a requests-only rule never touches a response.
  {
    json only_req = {{{"name", "codenames"}, {"keywords", {"bluebird"}}, {"action", "block"}, {"applies_to", "requests"}}};
    auto e = engine({{"responses", "off"}, {"rules", only_req}});
    std::string t = text;
    Tally tally;
    CHECK(e->apply(t, Direction::kResponse, {}, tally));
    CHECK(e->idle(Direction::kResponse, {}));
    CHECK_FALSE(e->idle(Direction::kRequest, {}));
  }
}

TEST_CASE("overlapping mask hits become one label", "[guardrails]") {
  auto e = engine({{"requests", "mask"}, {"rules", {{{"name", "domain"}, {"pattern", "example\\.com\\b.{0,5}"}}}}});
  std::string t = "to bob@example.com today";
  Tally tally;
  REQUIRE(e->apply(t, Direction::kRequest, {}, tally));
  CHECK(t == "to [EMAIL]y");  // the rule's match runs five bytes past the e-mail
}

TEST_CASE("key override text: the CLI's and the API's form", "[guardrails]") {
  CHECK(std::get<KeyOverride>(read_key_override("mask")) == KeyOverride{Action::kMask, Action::kMask});
  CHECK(std::get<KeyOverride>(read_key_override("inherit")) == KeyOverride{});
  CHECK(std::get<KeyOverride>(read_key_override("requests=block")) == KeyOverride{Action::kBlock, std::nullopt});
  CHECK(std::get<KeyOverride>(read_key_override("responses=off,requests=mask")) == KeyOverride{Action::kMask, Action::kOff});
  for (const char* bad : {"redact", "requests=", "requests=mask,requests=off", "logs=mask", "requests=mask,", ",", "=mask"})
    CHECK(std::holds_alternative<PolicyProblem>(read_key_override(bad)));
  CHECK(write_key_override({Action::kMask, Action::kMask}) == "mask");
  CHECK(write_key_override({Action::kMask, Action::kOff}) == "requests=mask,responses=off");
  CHECK(write_key_override({}) == "");
}

namespace {

// The stream's output for `text` cut into the given pieces.
std::string streamed(const Engine& e, std::string_view text, const std::vector<std::size_t>& cuts, Tally& tally) {
  StreamText s(e, Direction::kResponse, {});
  std::string out;
  std::size_t at = 0;
  for (std::size_t c : cuts) {
    out += s.push(text.substr(at, c - at), tally);
    at = c;
  }
  out += s.push(text.substr(at), tally);
  out += s.finish(tally);
  return out;
}

}  // namespace

TEST_CASE("streams: every positive split at every byte across two events is still masked", "[guardrails]") {
  auto e = engine({{"responses", "mask"}, {"rules", {{{"name", "codenames"}, {"keywords", {"bluebird"}}}}}});
  std::string key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx5Jk0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghij\n"
                    "klmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/ab==\n-----END RSA PRIVATE KEY-----";
  std::vector<std::string> positives = {
      "ann.lee+work@mail.example.co.uk", "4111 1111 1111 1111", "3782 822463 10005", "123-45-6789",
      "(202) 555-0178", "+44 20 7946 0958", "1-800-555-0199", "AKIAIOSFODNN7EXAMPLE",
      "sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", key,
      "Bluebird"};
  for (const auto& item : positives) {
    // Context on both sides, longer than the window, so the cut really lands inside the text.
    std::string text = "Here is what you asked for in the previous message, as plain text: " + item +
                       " and that is all of it; nothing else follows this sentence.";
    std::string want = text;
    Tally whole;
    REQUIRE(e->apply(want, Direction::kResponse, {}, whole));
    REQUIRE(whole.masked == 1);
    for (std::size_t p = 0; p <= text.size(); ++p) {
      INFO(item << " split at " << p);
      Tally tally;
      CHECK(streamed(*e, text, {p}, tally) == want);
      CHECK(tally.masked == 1);
    }
    // And one byte per event, the worst case.
    std::vector<std::size_t> every;
    for (std::size_t p = 1; p < text.size(); ++p) every.push_back(p);
    Tally tally;
    CHECK(streamed(*e, text, every, tally) == want);
  }
}

TEST_CASE("streams: text is released as it flows, held back by at most the window", "[guardrails]") {
  auto e = engine({{"responses", "mask"}});
  StreamText s(*e, Direction::kResponse, {});
  Tally tally;
  std::string released;
  for (int i = 0; i < 100; ++i) {
    released += s.push("word" + std::to_string(i) + " ", tally);
    CHECK(s.held() <= StreamText::kWindow + 12);
  }
  CHECK(released.size() > 400);
  released += s.finish(tally);
  CHECK(released.substr(0, 12) == "word0 word1 ");
  // One word longer than the hold limit is released anyway, in pieces.
  StreamText big(*e, Direction::kResponse, {});
  std::string out;
  for (int i = 0; i < 40; ++i) out += big.push(std::string(1000, 'x'), tally);
  CHECK(big.held() <= StreamText::kMaxHold);
  out += big.finish(tally);
  CHECK(out == std::string(40000, 'x'));
}

TEST_CASE("streams: a block stops the stream and releases nothing after it", "[guardrails]") {
  auto e = engine({{"responses", {{"default", "monitor"}, {"secret", "block"}}}});
  StreamText s(*e, Direction::kResponse, {});
  Tally tally;
  std::string out = s.push("The key is AKIAIOSF", tally);
  out += s.push("ODNN7EXAMPLE and more text to push the window past the key for sure, yes.", tally);
  out += s.finish(tally);
  CHECK(s.blocked());
  CHECK(tally.blocked_by == "secret");
  CHECK(out.find("AKIA") == std::string::npos);
}

TEST_CASE("input caps and WAF settings: read, written back, bounds refused; key caps in the override text", "[guardrails]") {
  auto p = std::get<Policy>(read_policy(json::parse(R"({"limits":{"max_chars":8192,"max_urls":5,"max_phones":null},
                                                        "waf":{"violations_per_minute":0,"block_seconds":60}})")));
  CHECK(p.caps.max_chars == 8192);
  CHECK(p.caps.max_urls == 5);
  CHECK_FALSE(p.caps.max_phones);
  CHECK(p.waf.violations_per_minute == 0);
  CHECK(std::get<Policy>(read_policy(write_policy(p))) == p);
  Policy defaults;
  CHECK_FALSE(defaults.caps.any());
  CHECK(defaults.waf.violations_per_minute == 10);
  CHECK(defaults.waf.block_seconds == 600);
  CHECK(problem_field(json::parse(R"({"limits":{"max_chars":-1}})")) == "limits.max_chars");
  CHECK(problem_field(json::parse(R"({"limits":{"max_chars":"8192"}})")) == "limits.max_chars");
  CHECK(problem_field(json::parse(R"({"limits":{"max_words":3}})")) == "limits.max_words");
  CHECK(problem_field(json::parse(R"({"waf":{"block_seconds":0}})")) == "waf.block_seconds");
  CHECK(problem_field(json::parse(R"({"waf":{"violations_per_minute":10001}})")) == "waf.violations_per_minute");

  auto o = std::get<KeyOverride>(read_key_override("mask,max_chars=8192,max_urls=0"));
  CHECK(o.requests == Action::kMask);
  CHECK(o.caps.max_chars == 8192);
  CHECK(o.caps.max_urls == 0);
  CHECK(write_key_override(o) == "mask,max_chars=8192,max_urls=0");
  CHECK(std::get<KeyOverride>(read_key_override("max_phones=3")).caps.max_phones == 3);
  CHECK_FALSE(std::get<KeyOverride>(read_key_override("max_phones=3")).requests);
  for (const char* bad : {"max_chars=", "max_chars=-1", "max_chars=1e3", "max_chars=1,max_chars=2", "max_chars=9999999999",
                          "mask,block", "mask,requests=off"})
    CHECK(std::holds_alternative<PolicyProblem>(read_key_override(bad)));
  Caps org{1000, 5, std::nullopt};
  auto eff = org.with(o.caps);
  CHECK(eff.max_chars == 8192);
  CHECK(eff.max_urls == 0);
  CHECK_FALSE(eff.max_phones);
}
