// libFuzzer target: translation between the dialects (translate/), on hostile requests, answers
// and streams. The control byte's low two bits pick what the rest is:
//   0  an OpenAI chat request → chat_to_messages, and a success back through messages_to_chat;
//   1  an Anthropic messages request → messages_to_chat, and a success back through chat_to_messages;
//   2  an OpenAI stream, one event's data per line → ChatToMessagesStream, then finish();
//   3  an Anthropic stream, one event's data per line → MessagesToChatStream; the whole input is
//      also read as an answer in both dialects (message_to_completion, completion_to_message).
// Bit 2 asks for the usage chunk (mode 3). Bit 3 turns modes 0 and 2 to the Responses API on a
// chat-only provider: responses_to_chat, and ChatToResponsesStream (whose events also carry
// consecutive sequence numbers). Properties: no throw; what a stream translator writes
// is whole events whose data is JSON (or [DONE]), with at most kMaxBlocks blocks opened; a refusal
// names a field; a stream that ended says so.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/json_read.h"
#include "translate/answer.h"
#include "translate/request.h"
#include "translate/responses.h"
#include "translate/stream.h"

using namespace airlock;

namespace {

// Every event the translator wrote is "[event: …\n]data: …\n\n" with JSON data (or [DONE]).
std::size_t check_events(std::string_view out, bool anthropic) {
  std::size_t starts = 0;
  while (!out.empty()) {
    auto end = out.find("\n\n");
    FUZZ_CHECK(end != std::string_view::npos);
    auto block = out.substr(0, end);
    out.remove_prefix(end + 2);
    if (anthropic) {
      FUZZ_CHECK(block.rfind("event: ", 0) == 0);
      block.remove_prefix(block.find('\n') + 1);
    }
    FUZZ_CHECK(block.rfind("data: ", 0) == 0);
    auto data = block.substr(6);
    FUZZ_CHECK(data.find('\n') == std::string_view::npos);
    if (data == "[DONE]") continue;
    auto j = http::parse_json_strict(data);
    FUZZ_CHECK(j && j->is_object());
    if (j->contains("type") && (*j)["type"] == "content_block_start") ++starts;
  }
  return starts;
}

void request(std::string_view text, bool from_openai) {
  auto body = http::parse_json_strict_ordered(text);
  if (!body) return;
  auto out = from_openai ? translate::chat_to_messages(*body) : translate::messages_to_chat(*body);
  if (auto* bad = std::get_if<translate::Problem>(&out)) {
    FUZZ_CHECK(!bad->param.empty() && !bad->message.empty());
    return;
  }
  auto& j = std::get<translate::Json>(out);
  (void)j.dump(-1, ' ', false, translate::Json::error_handler_t::replace);
  (void)(from_openai ? translate::messages_to_chat(j) : translate::chat_to_messages(j));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::take_control_byte(data, size);
  if ((in.ctrl & 8) && (in.ctrl & 3) == 0) {
    if (auto body = http::parse_json_strict_ordered(in.text)) {
      auto out = translate::responses_to_chat(*body);
      if (auto* bad = std::get_if<translate::Problem>(&out)) FUZZ_CHECK(!bad->param.empty());
      else (void)translate::chat_to_messages(std::get<translate::Json>(out));  // a chat request in its turn
    }
    return 0;
  }
  if ((in.ctrl & 8) && (in.ctrl & 3) == 2) {
    translate::ChatToResponsesStream t(translate::ResponseEcho{"resp_f", 1, nlohmann::json::object()});
    std::string out;
    for (auto rest = in.text; !rest.empty();)
      if (!t.on_event(fuzz::next_line(rest), out)) break;
    t.finish(out);
    FUZZ_CHECK(t.done());
    std::int64_t seq = 0;
    std::string_view rest = out;
    while (!rest.empty()) {
      auto end = rest.find("\n\n");
      FUZZ_CHECK(end != std::string_view::npos);
      auto block = rest.substr(0, end);
      rest.remove_prefix(end + 2);
      FUZZ_CHECK(block.rfind("event: ", 0) == 0);
      auto line = block.substr(block.find('\n') + 1);
      FUZZ_CHECK(line.rfind("data: ", 0) == 0);
      auto j = http::parse_json_strict(line.substr(6));
      FUZZ_CHECK(j && j->is_object() && (*j)["sequence_number"] == seq++);
    }
    return 0;
  }
  switch (in.ctrl & 3) {
    case 0: request(in.text, true); break;
    case 1: request(in.text, false); break;
    case 2: {
      translate::ChatToMessagesStream t;
      std::string out;
      for (auto rest = in.text; !rest.empty();)
        if (!t.on_event(fuzz::next_line(rest), out)) break;
      t.finish(out);
      FUZZ_CHECK(t.done());
      FUZZ_CHECK(check_events(out, true) <= translate::kMaxBlocks);
      break;
    }
    default: {
      translate::MessagesToChatStream t(1, (in.ctrl & 4) != 0);
      std::string out;
      for (auto rest = in.text; !rest.empty();)
        if (!t.on_event(fuzz::next_line(rest), out)) break;
      check_events(out, false);
      if (auto j = http::parse_json_strict(in.text)) {
        (void)translate::message_to_completion(*j, 1).dump();
        (void)translate::completion_to_message(*j).dump();
        (void)translate::error_message(*j);
      }
      break;
    }
  }
  return 0;
}
