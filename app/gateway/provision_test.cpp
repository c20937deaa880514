#include "gateway/provision.h"

#include <catch2/catch_test_macros.hpp>

#include "support/identity_fixture.h"

using namespace airlock;

namespace {

bool has(const std::vector<std::string>& errors, const std::string& needle) {
  for (const auto& e : errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a good provisioning file is applied with the vendor key sealed to its row", "[gateway][provision][V11.3.3]") {
  testing::IdentityFixture f;
  gateway::Deps deps{*f.db, f.clock, f.random, f.fields, core::SecretBytes(core::Bytes(32, 1))};
  std::vector<std::string> errors;
  auto plan = gateway::parse_provision(R"({"providers":[
      {"name":"openai","type":"openai","base_url":"https://api.openai.com/v1/","api_key_env":"OPENAI_KEY",
       "extra_headers":{"OpenAI-Organization":"org-1"},"timeouts":{"first_byte_ms":5000},"max_concurrent":8},
      {"name":"local","type":"openai","base_url":"http://127.0.0.1:11434/v1","internal":true}],
    "models":[{"name":"gpt","reasoning":true,"targets":[{"provider":"openai","model":"gpt-4o"},{"provider":"local","model":"llama"}]}]})",
                                       {{"OPENAI_KEY", "sk-abcdefghijklmnop1234\n"}}, errors, egress::default_policy());
  INFO(errors.size());
  REQUIRE(errors.empty());
  REQUIRE(gateway::apply_provision(deps, plan));
  REQUIRE(f.db->view([&](store::Tx& tx) {
    auto p = store::catalog::find_provider_by_name(tx, "openai");
    REQUIRE(p);
    CHECK(p->base_url == "https://api.openai.com/v1");
    CHECK(p->api_key_hint == "1234");
    CHECK(p->first_byte_timeout_ms == 5000);
    CHECK(p->provisioned);
    REQUIRE(p->api_key_sealed);
    CHECK(p->api_key_sealed->find("sk-") == std::string::npos);
    auto key = f.fields.open("vendor-key", {"providers", "api_key", p->id.value}, *p->api_key_sealed);
    REQUIRE(key);
    CHECK(std::string(key->bytes().begin(), key->bytes().end()) == "sk-abcdefghijklmnop1234");
    // Moved to another row, the sealed key does not open.
    CHECK_FALSE(f.fields.open("vendor-key", {"providers", "api_key", p->id.value + 1}, *p->api_key_sealed));
    auto local = store::catalog::find_provider_by_name(tx, "local");
    REQUIRE(local);
    CHECK_FALSE(local->api_key_sealed);
    auto m = store::catalog::find_model(tx, "gpt");
    REQUIRE(m);
    CHECK(m->reasoning);
    REQUIRE(m->targets.size() == 2);
    CHECK(m->targets[1].provider == local->id);
    return core::Status::ok();
  }));
  // Applying again updates in place.
  REQUIRE(gateway::apply_provision(deps, plan));
  REQUIRE(f.db->view([&](store::Tx& tx) {
    CHECK(store::catalog::providers(tx).size() == 2);
    CHECK(store::catalog::models(tx).size() == 1);
    return core::Status::ok();
  }));
}

TEST_CASE("provisioning problems are all reported, each with its place", "[gateway][provision]") {
  std::vector<std::string> errors;
  (void)gateway::parse_provision(R"({"providers":[{"name":"A b","type":"openai","base_url":"https://x.example/v1",
      "api_key_env":"K","api_key_file":"/f"},{"type":"anthropic","base_url":"https://x.example","extra_headers":{"Host":"y",
      "X-Ctl":"a\u0001b"}}],"models":[{"name":"m","targets":[{"provider":"nope"}]}],"extra":1})",
                                 {{"K", "bad key with spaces"}}, errors, egress::default_policy());
  for (const char* e : {"providers[0].name: 1-64 of", "providers[0]: give api_key_env or api_key_file, not both",
                        "providers[0]: the API key must be 1-4096 printable characters", "providers[1].name: is required",
                        "providers[1].extra_headers.Host: is set by Airlock itself",
                        "providers[1].extra_headers.X-Ctl: must be a string without control characters",
                        "models[0].targets[0].model: is required", "provision file.extra: is not a known field"}) {
    INFO(e);
    CHECK(has(errors, e));
  }
  errors.clear();
  (void)gateway::parse_provision(R"({"providers":[],"providers":[]})", {}, errors, egress::default_policy());
  CHECK(has(errors, "repeats a key"));
  errors.clear();
  (void)gateway::parse_provision("[1]", {}, errors, egress::default_policy());
  CHECK(has(errors, "must be a JSON object"));
}

TEST_CASE("a key or CA file that is a directory is a listed problem, not an abort (found by fuzzing)",
          "[gateway][provision]") {
  std::vector<std::string> errors;
  (void)gateway::parse_provision(R"({"providers":[{"name":"a","type":"openai","base_url":"https://x.example/v1",
      "api_key_file":"/"},{"name":"b","type":"openai","base_url":"https://y.example/v1","ca_file":"/tmp"}]})",
                                 {}, errors, egress::default_policy());
  CHECK(errors.size() >= 2);
  CHECK(has(errors, "providers[0]"));
  CHECK(has(errors, "providers[1]"));
  errors.clear();
  (void)gateway::load_provision_file("/", {}, errors, egress::default_policy());  // the provisioning file itself
  CHECK_FALSE(errors.empty());
}
