// libFuzzer target: the provisioning file (gateway/provision.h): parse_provision, which parses and
// validates the whole file without a database, and parse_api_provider, which the management API
// uses for one provider (fed each element of "providers"). apply_provision and save_provider write
// to the store and are not reached; cmake/fuzz.cmake links with --gc-sections so their store and
// audit dependencies are not needed. A clean plan must be consistent with what the file said.
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "file_guard.h"
#include "fuzz_check.h"
#include "gateway/provision.h"
#include "http/json_body.h"

using namespace airlock::gateway;

namespace {

const std::map<std::string, std::string> kEnv = {
    {"AIRLOCK_FUZZ_VENDOR_KEY", "sk-fuzz-0123456789abcdef"},
    {"AIRLOCK_FUZZ_EMPTY", ""},
    {"AIRLOCK_FUZZ_SPACES", "sk fuzz with spaces"},
};

// api_key_file and ca_file are read by the parser: skip inputs naming a path that could block.
bool names_unsafe_file(const nlohmann::json& doc) {
  if (!doc.is_object()) return false;
  auto providers = doc.find("providers");
  if (providers == doc.end() || !providers->is_array()) return false;
  for (const auto& p : *providers) {
    if (!p.is_object()) continue;
    for (const char* key : {"api_key_file", "ca_file"}) {
      auto it = p.find(key);
      if (it != p.end() && it->is_string() && airlock::fuzz::unsafe_path(it->get_ref<const std::string&>())) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto doc = airlock::http::parse_json_strict(text);
  if (doc && names_unsafe_file(*doc)) return -1;  // -1: not kept in the corpus

  std::vector<std::string> errors;
  const ProvisionPlan plan = parse_provision(text, kEnv, errors, airlock::egress::default_policy());
  if (!doc) FUZZ_CHECK(!errors.empty());
  for (const std::string& e : errors) FUZZ_CHECK(e.find(": ") != std::string::npos);  // each names its place

  if (errors.empty()) {
    std::set<std::string> providers, models;
    for (const auto& p : plan.providers) {
      FUZZ_CHECK(!p.row.name.empty() && providers.insert(p.row.name).second);
      FUZZ_CHECK(p.row.type == "openai" || p.row.type == "anthropic");
      FUZZ_CHECK(p.row.provisioned);
      FUZZ_CHECK(p.row.base_url.empty() || p.row.base_url.back() != '/');
      if (p.api_key) FUZZ_CHECK(p.api_key->size() >= 1 && p.api_key->size() <= 4096);
    }
    for (const auto& m : plan.models) {
      FUZZ_CHECK(!m.row.name.empty() && models.insert(m.row.name).second);
      FUZZ_CHECK(m.row.targets.size() == m.target_providers.size());
      FUZZ_CHECK(!m.target_providers.empty() && m.target_providers.size() <= 16);
      for (const auto& name : m.target_providers) FUZZ_CHECK(providers.count(name) == 1);
    }
  }

  // The management API's form of one provider: the same checks, the key inline.
  if (doc && doc->is_object()) {
    auto list = doc->find("providers");
    if (list != doc->end() && list->is_array()) {
      for (const auto& p : *list) {
        std::vector<std::string> api_errors;
        const auto one = parse_api_provider(p, api_errors, airlock::egress::default_policy());
        FUZZ_CHECK(one.has_value() == api_errors.empty());
        if (one) FUZZ_CHECK(!one->row.provisioned && !one->row.name.empty());
      }
    }
  }
  return 0;
}
