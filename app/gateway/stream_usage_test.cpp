#include "gateway/stream_usage.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

using namespace airlock::gateway;

namespace {

SseEvent event(std::string name, std::string data) { return SseEvent{{}, std::move(name), std::move(data)}; }

}  // namespace

TEST_CASE("OpenAI streams: usage chunk read, our usage-only chunk dropped, [DONE] noted", "[gateway][relay]") {
  StreamUsage s{Dialect::kOpenAI, /*strip_usage_chunk=*/true};
  CHECK(s.read(event("", R"({"choices":[{"delta":{"content":"hi"}}]})")));
  CHECK_FALSE(s.usage.known);
  // Ours: choices empty, so the client (which never asked for usage) does not see it.
  CHECK_FALSE(s.read(event("", R"({"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}})")));
  CHECK(s.usage.known);
  CHECK(s.usage.total() == 10);
  CHECK_FALSE(s.done);
  CHECK(s.read(event("", "[DONE]")));
  CHECK(s.done);

  StreamUsage asked{Dialect::kOpenAI, /*strip_usage_chunk=*/false};
  CHECK(asked.read(event("", R"({"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}})")));
}

TEST_CASE("Anthropic streams: input from message_start (cache tokens included), output from message_delta",
          "[gateway][relay]") {
  StreamUsage s{Dialect::kAnthropic};
  CHECK(s.read(event("message_start",
                     R"({"message":{"usage":{"input_tokens":5,"cache_read_input_tokens":2,"cache_creation_input_tokens":1,"output_tokens":1}}})")));
  CHECK(s.usage.prompt_tokens == 8);
  CHECK(s.usage.completion_tokens == 1);
  CHECK(s.read(event("message_delta", R"({"usage":{"output_tokens":40}})")));
  CHECK(s.usage.prompt_tokens == 8);
  CHECK(s.usage.completion_tokens == 40);
  CHECK(s.read(event("message_stop", "{}")));
  CHECK(s.done);
}

TEST_CASE("hostile usage events: wrong types count 0, huge counts are clamped, too deep ends the stream",
          "[gateway][relay][V2.2.1]") {
  StreamUsage s{Dialect::kOpenAI};
  CHECK(s.read(event("", R"({"usage":{"prompt_tokens":-5,"completion_tokens":"9"}})")));
  CHECK(s.usage.total() == 0);
  CHECK(s.read(event("", R"({"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":1e300}})")));
  CHECK(s.usage.prompt_tokens == (std::int64_t{1} << 31));
  CHECK(s.usage.completion_tokens == 0);
  CHECK(s.read(event("", R"({"usage":[1,2]})")));     // not an object: ignored, passed on
  CHECK(s.read(event("", R"({"usage" )")));           // not JSON: passed on unread
  CHECK_FALSE(s.broken);

  StreamUsage a{Dialect::kAnthropic};
  CHECK(a.read(event("message_start", R"({"message":"usage"})")));
  CHECK(a.read(event("message_delta", "null")));
  CHECK_FALSE(a.usage.known);
  std::string deep = R"({"usage":)" + std::string(100, '[') + std::string(100, ']') + "}";
  CHECK_FALSE(a.read(event("message_delta", deep)));
  CHECK(a.broken);
  CHECK_FALSE(s.read(event("", deep)));
  CHECK(s.broken);
}
