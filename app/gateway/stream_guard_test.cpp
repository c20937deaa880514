// StreamGuard on hand-made events: framing kept, held text released before the event that ends its
// channel, monitor untouched, and the bounds a hostile upstream cannot pass.
#include "gateway/stream_guard.h"

#include <catch2/catch_test_macros.hpp>

using namespace airlock;
using namespace airlock::gateway;
using nlohmann::json;

namespace {

std::shared_ptr<const guardrails::Engine> engine(guardrails::Action a) {
  guardrails::Policy p;
  p.responses.base = a;
  return std::get<std::shared_ptr<const guardrails::Engine>>(guardrails::Engine::build(p));
}

// Runs whole events (each "data: …\n\n" or with an event: line) through the guard.
std::string run(StreamGuard& g, const std::vector<std::string>& events, guardrails::Tally& tally, bool* ok = nullptr) {
  std::string out;
  SseSplitter split;
  bool good = true;
  for (const auto& e : events)
    split.feed(e, [&](const SseEvent& ev) {
      if (good) good = g.on_event(ev, out, tally);
    });
  if (good) g.finish(out, tally);
  if (ok) *ok = good;
  return out;
}

std::string chunk(int index, const std::string& text, const char* finish = nullptr) {
  json c = {{"index", index}, {"delta", {{"content", text}}}, {"finish_reason", finish ? json(finish) : json(nullptr)}};
  return "data: " + json{{"id", "c1"}, {"object", "chat.completion.chunk"}, {"choices", {c}}}.dump() + "\n\n";
}

std::string text_of(const std::string& out, int index) {
  std::string text;
  std::size_t at = 0;
  while ((at = out.find("data: ", at)) != std::string::npos) {
    auto end = out.find("\n\n", at);
    auto j = json::parse(out.substr(at + 6, end - at - 6), nullptr, false);
    at = end;
    if (!j.is_object() || !j.contains("choices")) continue;
    for (const auto& c : j["choices"])
      if (c["index"] == index && c["delta"].contains("content")) text += c["delta"]["content"].get<std::string>();
  }
  return text;
}

}  // namespace

TEST_CASE("stream guard: masked across events, every event still JSON, held text before the finish", "[guardrails]") {
  StreamGuard g(Dialect::kOpenAI, engine(guardrails::Action::kMask), {});
  guardrails::Tally tally;
  std::vector<std::string> events = {chunk(0, "mail ann.lee@exa"), chunk(0, "mple.com or card 4111 1111"),
                                     chunk(0, " 1111 1111 please"), chunk(0, "", "stop"), "data: [DONE]\n\n"};
  auto out = run(g, events, tally);
  CHECK(text_of(out, 0) == "mail [EMAIL] or card [CARD] please");
  CHECK(out.find("ann.lee") == std::string::npos);
  CHECK(out.find("4111") == std::string::npos);
  // The finish chunk is last before [DONE], after every piece of text.
  auto finish = out.find("\"finish_reason\":\"stop\"");
  CHECK(finish != std::string::npos);
  CHECK(out.find("please") < finish);
  CHECK(out.substr(out.size() - 14) == "data: [DONE]\n\n");
  CHECK(tally.masked == 2);
}

TEST_CASE("stream guard: monitor forwards every byte as it came, and counts", "[guardrails]") {
  StreamGuard g(Dialect::kOpenAI, engine(guardrails::Action::kMonitor), {});
  guardrails::Tally tally;
  std::vector<std::string> events = {chunk(0, "mail ann.lee@exa"), chunk(0, "mple.com now"), chunk(0, "", "stop")};
  std::string raw;
  for (const auto& e : events) raw += e;
  CHECK(run(g, events, tally) == raw);
  CHECK(tally.found[0] == 1);
}

TEST_CASE("stream guard: an upstream opening channel after channel breaks the stream, bounded", "[guardrails]") {
  StreamGuard g(Dialect::kOpenAI, engine(guardrails::Action::kMask), {});
  guardrails::Tally tally;
  std::vector<std::string> events;
  for (int i = 0; i < 400; ++i) events.push_back(chunk(i, "held text"));
  bool ok = true;
  run(g, events, tally, &ok);
  CHECK_FALSE(ok);
  CHECK(g.broken());
  CHECK(g.channels() == StreamGuard::kMaxChannels);
  CHECK_FALSE(tally.blocked_by);  // broken, not a policy block
}

TEST_CASE("stream guard: Anthropic keeps its event lines and flushes at content_block_stop", "[guardrails]") {
  StreamGuard g(Dialect::kAnthropic, engine(guardrails::Action::kMask), {});
  guardrails::Tally tally;
  auto delta = [](const std::string& t) {
    return "event: content_block_delta\ndata: " +
           json{{"type", "content_block_delta"}, {"index", 0}, {"delta", {{"type", "text_delta"}, {"text", t}}}}.dump() + "\n\n";
  };
  std::vector<std::string> events = {delta("key AKIAIOSF"), delta("ODNN7EXAMPLE ok"),
                                     "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                                     "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"};
  auto out = run(g, events, tally);
  CHECK(out.find("AKIA") == std::string::npos);
  CHECK(out.find("[SECRET] ok") != std::string::npos);
  CHECK(out.find("[SECRET] ok") < out.find("content_block_stop"));
  // Every event keeps an event: line before its data.
  std::size_t events_out = 0, at = 0;
  while ((at = out.find("event: ", at)) != std::string::npos) ++events_out, ++at;
  CHECK(events_out == static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n') / 3));
}

TEST_CASE("Responses API streams: deltas masked across events, and the .done events and final response masked too",
          "[gateway][stream_guard][responses][V14.2.4]") {
  auto ev = [](const char* type, json data) {
    data["type"] = type;
    return std::string("event: ") + type + "\ndata: " + data.dump() + "\n\n";
  };
  const std::string text = "Mail ann.lee@example.com today";
  std::vector<std::string> events = {ev("response.created", {{"response", {{"id", "resp_1"}, {"output", json::array()}}}})};
  for (std::size_t i = 0; i < text.size(); i += 4)
    events.push_back(ev("response.output_text.delta",
                        {{"item_id", "msg_1"}, {"output_index", 0}, {"content_index", 0}, {"delta", text.substr(i, 4)}}));
  events.push_back(ev("response.output_text.done", {{"item_id", "msg_1"}, {"output_index", 0}, {"content_index", 0}, {"text", text}}));
  json item = {{"type", "message"}, {"id", "msg_1"}, {"content", {{{"type", "output_text"}, {"text", text}}}}};
  events.push_back(ev("response.output_item.done", {{"output_index", 0}, {"item", item}}));
  events.push_back(ev("response.completed", {{"response", {{"id", "resp_1"}, {"output", {item}}}}}));

  StreamGuard g(Dialect::kOpenAI, engine(guardrails::Action::kMask), {});
  g.set_responses();
  guardrails::Tally tally;
  bool ok = false;
  auto out = run(g, events, tally, &ok);
  REQUIRE(ok);
  CHECK(out.find("ann.lee@example.com") == std::string::npos);  // nowhere: not in deltas, .done or the final response
  CHECK(tally.found[static_cast<std::size_t>(guardrails::Detector::kEmail)] == 1);  // counted once, not per repeat
  std::string deltas;
  SseSplitter split;
  split.feed(out, [&](const SseEvent& e) {
    auto j = json::parse(e.data);
    CHECK(j["type"] == e.event);
    if (e.event == "response.output_text.delta") deltas += j["delta"].get<std::string>();
    if (e.event == "response.output_text.done") CHECK(j["text"] == "Mail [EMAIL] today");
    if (e.event == "response.completed") CHECK(j["response"]["output"][0]["content"][0]["text"] == "Mail [EMAIL] today");
  });
  CHECK(deltas == "Mail [EMAIL] today");
  // The held text came out before the .done event that repeats it.
  CHECK(out.find("[EMAIL]") < out.find("response.output_text.done"));

  // Block: the stream ends at the first delta that completes the address.
  StreamGuard b(Dialect::kOpenAI, engine(guardrails::Action::kBlock), {});
  b.set_responses();
  guardrails::Tally bt;
  auto blocked = run(b, events, bt, &ok);
  CHECK_FALSE(ok);
  CHECK(blocked.find("ann.lee@example.com") == std::string::npos);
}

TEST_CASE("monitoring chat streams without a DOM counts exactly what the DOM path counts", "[gateway][stream_guard][monitor]") {
  auto ev = [](const json& j) { return "data: " + j.dump() + "\n\n"; };
  auto delta = [&](json choice_index, json d, json finish = nullptr) {
    return ev({{"id", "c"}, {"object", "chat.completion.chunk"},
               {"choices", {{{"delta", std::move(d)}, {"finish_reason", std::move(finish)}, {"index", std::move(choice_index)}}}}});
  };
  std::vector<std::string> events = {
      delta(0, {{"role", "assistant"}, {"content", "Mail ann.le"}}),
      delta(1, {{"content", "card 4111 1111 "}}),
      delta(0, {{"content", "e@example.com or call (202) 555-"}}),
      delta(0, {{"tool_calls", {{{"index", 0}, {"id", "t"}, {"function", {{"name", "f"}, {"arguments", "{\"ssn\":\"078-05-"}}}}}}}),
      delta(1, {{"content", "1111 1111"}}, "stop"),
      delta(0, {{"tool_calls", {{{"index", 0}, {"function", {{"arguments", "1120\"}"}}}}}}}),
      delta(0, {{"content", "0178 \\u00e9t\xc3\xa9 \xf0\x9f\x98\x80"}}),
      ev({{"choices", {{{"index", 0}, {"text", "legacy ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}}}}),
      delta("odd", {{"content", "x@y.io"}}),
      delta(0, json::object(), "tool_calls"),
      "data: not json at all bob@example.org\n\n",
      "data: \"a JSON string, not an object: carol@example.net\"\n\n",
      "data: [DONE]\n\n"};
  auto tally_of = [&](bool fast) {
    StreamGuard g(Dialect::kOpenAI, engine(guardrails::Action::kMonitor), {});
    g.set_fast_monitor(fast);
    guardrails::Tally tally;
    bool ok = false;
    auto out = run(g, events, tally, &ok);
    REQUIRE(ok);
    std::string all;
    for (const auto& e : events) all += e;
    CHECK(out == all);  // monitoring passes every byte as it came
    return tally;
  };
  auto fast = tally_of(true), dom = tally_of(false);
  CHECK(fast.found == dom.found);
  CHECK(fast.total() == dom.total());
  CHECK(fast.total() >= 6);  // email ×3, card, phone, SSN, secret: across events and channels
}

TEST_CASE("monitoring messages streams without a DOM counts exactly what the DOM path counts", "[gateway][stream_guard][monitor]") {
  auto ev = [](const char* name, const json& j) { return std::string("event: ") + name + "\ndata: " + j.dump() + "\n\n"; };
  auto delta = [&](json index, json d) { return ev("content_block_delta", {{"type", "content_block_delta"}, {"index", index}, {"delta", d}}); };
  std::vector<std::string> events = {
      ev("message_start", {{"type", "message_start"}, {"message", {{"content", "dan@example.com in a place no text is"}}}}),
      delta(0, {{"type", "text_delta"}, {"text", "Write to ann.le"}}),
      delta(1, {{"type", "input_json_delta"}, {"partial_json", "{\"card\":\"4111 1111 "}}),
      delta(0, {{"type", "text_delta"}, {"text", "e@example.com"}}),
      ev("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}),
      delta(1, {{"type", "input_json_delta"}, {"partial_json", "1111 1111\"}"}}),
      delta("x", {{"type", "text_delta"}, {"text", "AKIAIOSFODNN7EXAMPLE"}}),
      delta(2, {{"type", "text_delta"}, {"text", "a"}, {"partial_json", "b@c.io"}}),
      "event: content_block_delta\ndata: {oops carol@example.net\n\n",
      ev("message_stop", {{"type", "message_stop"}})};
  auto tally_of = [&](bool fast) {
    StreamGuard g(Dialect::kAnthropic, engine(guardrails::Action::kMonitor), {});
    g.set_fast_monitor(fast);
    guardrails::Tally tally;
    bool ok = false;
    auto out = run(g, events, tally, &ok);
    REQUIRE(ok);
    std::string all;
    for (const auto& e : events) all += e;
    CHECK(out == all);
    return tally;
  };
  auto fast = tally_of(true), dom = tally_of(false);
  CHECK(fast.found == dom.found);
  CHECK(fast.total() == dom.total());
  CHECK(fast.total() >= 4);
}
