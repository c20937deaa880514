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

TEST_CASE("Responses API streams: usage from the final response, which ends the stream", "[gateway][stream_usage][responses]") {
  StreamUsage u{Dialect::kOpenAI};
  u.responses = true;
  auto read = [&](const char* event, const char* data) {
    std::string raw = std::string("event: ") + event + "\ndata: " + data + "\n\n";
    return u.read(SseEvent{raw, event, data});
  };
  CHECK(read("response.created", R"({"type":"response.created","response":{"id":"r","usage":null}})"));
  CHECK(read("response.output_text.delta", R"({"type":"response.output_text.delta","delta":"usage"})"));
  CHECK_FALSE(u.usage.known);
  CHECK_FALSE(u.done);
  CHECK(read("response.completed",
             R"({"type":"response.completed","response":{"usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":3},"output_tokens":7,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":19}}})"));
  CHECK(u.done);
  CHECK(u.usage.known);
  CHECK(u.usage.prompt_tokens == 12);
  CHECK(u.usage.completion_tokens == 7);

  StreamUsage failed{Dialect::kOpenAI};
  failed.responses = true;
  std::string data = R"({"type":"response.failed","response":{"usage":{"input_tokens":-4,"output_tokens":99999999999999}}})";
  std::string raw = "data: " + data + "\n\n";
  CHECK(failed.read(SseEvent{raw, "", data}));  // no event: line, the type in the data
  CHECK(failed.done);
  CHECK(failed.usage.prompt_tokens == 0);
  CHECK(failed.usage.completion_tokens <= (std::int64_t{1} << 31));
}
