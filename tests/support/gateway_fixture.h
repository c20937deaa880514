#pragma once
// Airlock in front of a mock vendor: a provisioning file naming the mock, the server started with
// it, and gateway keys made with `airlock key create` on the same data dir, as an operator would.
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "support/harness.h"
#include "support/mock_upstream.h"

namespace airlock::testing {

inline constexpr const char* kVendorKey = "sk-vendor-secret-0123456789";

inline void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

// `airlock key create` on a data dir, as an operator would; returns the key printed on stdout.
inline std::string create_key(const std::string& data_dir, const std::vector<std::string>& flags = {}) {
  std::vector<std::string> argv = {airlock_bin(), "key", "create", "--name=test"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto r = run_program(argv, {{"AIRLOCK_DATA_DIR", data_dir}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string k = r.out.substr(0, r.out.find('\n'));
  REQUIRE(std::regex_match(k, std::regex("alk_[a-z0-9]{8}_[A-Za-z0-9]{43}")));
  return k;
}

// One OpenAI-style chat request for `model` with gateway key `key`.
inline HttpReply chat(int port, const std::string& key, const std::string& model) {
  return https_request(port, "POST", "/v1/chat/completions",
                       {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}},
                       nlohmann::json{{"model", model}, {"messages", nlohmann::json::array()}}.dump());
}

// A chunked body as its bytes (the test client hands streamed answers on undecoded).
inline std::string dechunk(const std::string& body) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    auto eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    auto size = std::stoul(body.substr(at, eol - at), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
  return out;
}

// The "code" of an error answer in either dialect's envelope ({"error":{"code"…}}), or "".
inline std::string error_code(const HttpReply& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"].value("code", "") : "";
}

struct Gateway {
  TempDir dir;
  std::unique_ptr<MockUpstream> mock;
  std::unique_ptr<Airlock> airlock;

  // `providers_models`: the provisioning JSON; "MOCK" in it is replaced by the mock's base URL
  // without path (http://127.0.0.1:port), "VENDOR_KEY_FILE" by a file holding kVendorKey.
  explicit Gateway(const std::string& provision, const Env& env = {}) {
    mock = MockUpstream::start(dir);
    write_file(dir / "vendor.key", kVendorKey);
    std::string text = std::regex_replace(provision, std::regex("MOCK"), mock->base(""));
    text = std::regex_replace(text, std::regex("VENDOR_KEY_FILE"), dir / "vendor.key");
    write_file(dir / "provision.json", text);
    Env full = env;
    full["AIRLOCK_PROVISION_FILE"] = dir / "provision.json";
    airlock = Airlock::start(dir / "data", full);
  }

  // `airlock key create` with extra flags; returns the key printed on stdout.
  std::string key(const std::vector<std::string>& flags = {}) { return create_key(dir / "data", flags); }

  HttpReply post(const std::string& path, const std::string& key, const std::string& body,
                 std::map<std::string, std::string> headers = {}) {
    if (!key.empty() && !headers.count("x-api-key")) headers["Authorization"] = "Bearer " + key;
    headers["Content-Type"] = "application/json";
    return https_request(airlock->port(), "POST", path, headers, body);
  }
  HttpReply get(const std::string& path, const std::string& key) {
    return https_request(airlock->port(), "GET", path, {{"Authorization", "Bearer " + key}});
  }
};

// Two providers on the mock (OpenAI-style at /v1 and Anthropic-style at the root) and models that
// pick the mock's behaviours.
inline const std::string kMockProvision = R"({
  "providers":[
    {"name":"mock","type":"openai","base_url":"MOCK/v1","api_key_file":"VENDOR_KEY_FILE","internal":true,
     "timeouts":{"first_byte_ms":1500}},
    {"name":"mock-anthropic","type":"anthropic","base_url":"MOCK","api_key_file":"VENDOR_KEY_FILE","internal":true},
    {"name":"dead","type":"openai","base_url":"http://127.0.0.1:9/v1","internal":true,"timeouts":{"connect_ms":500}}],
  "models":[
    {"name":"gpt-test","targets":[{"provider":"mock","model":"gpt-upstream"}]},
    {"name":"gpt-slow-stream","targets":[{"provider":"mock","model":"stream-slow"}]},
    {"name":"gpt-break","targets":[{"provider":"mock","model":"stream-break"}]},
    {"name":"gpt-hang","targets":[{"provider":"mock","model":"hang"}]},
    {"name":"fallback-503","targets":[{"provider":"mock","model":"fail-503"},{"provider":"mock","model":"second"}]},
    {"name":"fallback-429","targets":[{"provider":"mock","model":"fail-429"},{"provider":"mock","model":"second"}]},
    {"name":"fallback-dead","targets":[{"provider":"dead","model":"x"},{"provider":"mock","model":"second"}]},
    {"name":"only-dead","targets":[{"provider":"dead","model":"x"}]},
    {"name":"no-fallback-400","targets":[{"provider":"mock","model":"fail-400"},{"provider":"mock","model":"second"}]},
    {"name":"all-fail","targets":[{"provider":"mock","model":"fail-500"},{"provider":"mock","model":"fail-502"}]},
    {"name":"vendor-refuses","targets":[{"provider":"mock","model":"fail-401"}]},
    {"name":"only-429","targets":[{"provider":"mock","model":"fail-429"}]},
    {"name":"claude-test","targets":[{"provider":"mock-anthropic","model":"claude-upstream"}]},
    {"name":"embed-test","targets":[{"provider":"mock","model":"embed-upstream"}]},
    {"name":"org/slashed-name","targets":[{"provider":"mock","model":"org/upstream"}]}]
})";

}  // namespace airlock::testing
