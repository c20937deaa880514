#include "gateway/request_fields.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock::gateway;
using Json = nlohmann::ordered_json;

namespace {

std::string param_for(const Endpoint& ep, const std::string& body) {
  auto r = read_request_fields(ep, Json::parse(body));
  auto* p = std::get_if<FieldProblem>(&r);
  return p ? p->param : "";
}

}  // namespace

TEST_CASE("every field read is type- and range-checked, naming the field", "[gateway][fields][V2.2.1][V1.5.2]") {
  const std::vector<std::string> values = {R"("7")", "1.5", "100.0", "-1", "0", "2147483648", "9223372036854775807",
                                           "9223372036854775808", "18446744073709551615", "1e300", "true",
                                           R"({})", "[]", "1"};
  struct Field {
    const Endpoint* ep;
    std::string base, name;
    std::vector<std::string> fine;
  };
  const std::vector<Field> fields = {
      {&kChat, R"("model":"m")", "max_tokens", {"1"}},
      {&kChat, R"("model":"m")", "max_completion_tokens", {"1"}},
      {&kChat, R"("model":"m")", "n", {"1"}},
      {&kCompletions, R"("model":"m")", "best_of", {"1"}},
      {&kMessages, R"("model":"m")", "max_tokens", {"1"}},
      {&kChat, R"("model":"m")", "stream", {"true"}},
      {&kChat, R"("model":"m")", "stream_options", {"{}"}},
      {&kChat, R"("model":"m")", "messages", {"[]"}},
      {&kChat, R"("model":"m")", "tools", {"[]"}},
      {&kCompletions, R"("model":"m")", "prompt", {R"("7")", "[]"}},
      {&kEmbeddings, R"("model":"m")", "input", {R"("7")", "[]"}},
      {&kMessages, R"("model":"m")", "system", {R"("7")", "[]"}},
      {&kChat, R"("model":"m","stream":true,"stream_options":{)", "include_usage", {"true"}},
      {&kChat, "", "model", {R"("7")"}},
  };
  for (const auto& f : fields) {
    for (const auto& v : values) {
      bool inner = !f.base.empty() && f.base.back() == '{';
      std::string body = "{" + f.base + (inner ? "" : ",") + "\"" + f.name + "\":" + v + (inner ? "}}" : "}");
      if (f.base.empty()) body = "{\"model\":" + v + "}";
      INFO(body);
      bool fine = std::find(f.fine.begin(), f.fine.end(), v) != f.fine.end();
      auto param = param_for(*f.ep, body);
      if (fine) {
        CHECK(param.empty());
      } else {
        std::string want = f.name == "include_usage" ? "stream_options.include_usage" : f.name;
        CHECK(param == want);
      }
    }
  }
  // null is absent, as vendors treat it.
  CHECK(param_for(kChat, R"({"model":"m","max_tokens":null,"stream":null,"stream_options":null,"n":null})").empty());
  CHECK(param_for(kChat, R"({"model":null})") == "model");
  // Nested content parts.
  CHECK(param_for(kChat, R"({"model":"m","messages":[{"role":"user","content":[{"type":"text"},7]}]})") == "messages[0].content");
  CHECK(param_for(kChat, R"({"model":"m","messages":[1]})") == "messages[0]");
  CHECK(param_for(kChat, R"({"model":"m","messages":[{"role":7}]})") == "messages[0].role");
}

TEST_CASE("choices multiply and both token fields count", "[gateway][fields][V1.4.2]") {
  auto r = read_request_fields(kCompletions, Json::parse(R"({"model":"m","n":3,"best_of":5,"max_tokens":10})"));
  auto& f = std::get<RequestFields>(r);
  CHECK(f.choices == 5);
  CHECK(f.generation_cap() == 10);
  auto both = read_request_fields(kChat, Json::parse(R"({"model":"m","max_tokens":10,"max_completion_tokens":2000})"));
  CHECK(std::get<RequestFields>(both).generation_cap() == 2000);
  // best_of is an OpenAI completions field only; n is not read for Anthropic.
  CHECK(std::get<RequestFields>(read_request_fields(kChat, Json::parse(R"({"model":"m","best_of":"x"})"))).choices == 1);
  CHECK(std::get<RequestFields>(read_request_fields(kMessages, Json::parse(R"({"model":"m","n":"x"})"))).choices == 1);
  // A stream is only a stream where the endpoint streams.
  CHECK_FALSE(std::get<RequestFields>(read_request_fields(kEmbeddings, Json::parse(R"({"model":"m","stream":true})"))).stream);
}
