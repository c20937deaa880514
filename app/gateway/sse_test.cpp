#include "gateway/sse.h"

#include <catch2/catch_test_macros.hpp>
#include <vector>

using namespace airlock::gateway;

namespace {

struct Seen {
  std::vector<std::string> raw, event, data;
};

Seen feed_in_pieces(const std::string& stream, std::size_t piece) {
  SseSplitter s;
  Seen seen;
  for (std::size_t i = 0; i < stream.size(); i += piece)
    REQUIRE(s.feed(stream.substr(i, piece), [&](const SseEvent& e) {
      seen.raw.emplace_back(e.raw);
      seen.event.push_back(e.event);
      seen.data.push_back(e.data);
    }));
  s.finish([&](const SseEvent& e) {
    seen.raw.emplace_back(e.raw);
    seen.event.push_back(e.event);
    seen.data.push_back(e.data);
  });
  return seen;
}

}  // namespace

TEST_CASE("SSE events are found whatever the chunking and line endings", "[gateway][sse]") {
  const std::string openai = "data: {\"a\":1}\n\ndata: {\"b\":2}\n\ndata: [DONE]\n\n";
  const std::string anthropic = "event: message_start\r\ndata: {\"x\":1}\r\n\r\nevent: ping\r\ndata: {}\r\n\r\n";
  const std::string cr_only = "data: one\r\rdata: two\r\r";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    INFO("piece " << piece);
    auto o = feed_in_pieces(openai, piece);
    REQUIRE(o.raw.size() == 3);
    CHECK(o.raw[0] == "data: {\"a\":1}\n\n");
    CHECK(o.data[2] == "[DONE]");
    std::string joined;
    for (auto& r : o.raw) joined += r;
    CHECK(joined == openai);  // verbatim
    auto a = feed_in_pieces(anthropic, piece);
    REQUIRE(a.raw.size() == 2);
    CHECK(a.event[0] == "message_start");
    CHECK(a.data[0] == "{\"x\":1}");
    CHECK(a.event[1] == "ping");
    auto c = feed_in_pieces(cr_only, piece);
    REQUIRE(c.raw.size() == 2);
    CHECK(c.data[1] == "two");
  }
}

TEST_CASE("SSE fields: multi-line data, comments, no space after the colon", "[gateway][sse]") {
  auto s = feed_in_pieces(": keep-alive\ndata:first\ndata: second\nid: 7\n\n", 5);
  REQUIRE(s.raw.size() == 1);
  CHECK(s.data[0] == "first\nsecond");
  CHECK(s.event[0].empty());
}

TEST_CASE("an upstream that never ends an event is cut off at the cap", "[gateway][sse]") {
  SseSplitter s(64);
  int events = 0;
  CHECK(s.feed(std::string(60, 'x'), [&](const SseEvent&) { ++events; }));
  CHECK_FALSE(s.feed(std::string(10, 'x'), [&](const SseEvent&) { ++events; }));
  CHECK(events == 0);
}

TEST_CASE("a large event fed a byte at a time splits as when fed whole, and the scan resumes", "[gateway][sse]") {
  // 256 KiB of data in one event, then a CR LF event and a CR CR one, each split at every byte:
  // the scan goes on where it stopped, so this is linear work (the splitter rescanned from the
  // event's start on every feed before: 20 s for this input).
  std::string big = "event: big\ndata: " + std::string(256 * 1024, 'x') + "\n\n";
  std::string stream = big + "data: a\r\n\r\n" + "data: b\r\r";
  auto whole = feed_in_pieces(stream, stream.size());
  auto bytes = feed_in_pieces(stream, 1);
  REQUIRE(whole.raw.size() == 3);
  CHECK(bytes.raw == whole.raw);
  CHECK(bytes.data == whole.data);
  CHECK(whole.event[0] == "big");
  CHECK(whole.data[0].size() == 256 * 1024);
  CHECK(whole.data[2] == "b");
}
