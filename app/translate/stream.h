#pragma once
// Streams between the dialects, event by event: each upstream event in, the client's events out
// as soon as it arrives (nothing waits for a later event, except what a stop needs: Anthropic's
// message_delta carries the usage that OpenAI sends after its finish chunk, so the end of the
// message is written when the upstream's stream ends).
//   OpenAI chunks → Anthropic: message_start, then per text run or tool call a content block
//     (content_block_start, its deltas, content_block_stop), message_delta with the stop reason and
//     usage, message_stop; event: lines as Anthropic writes them.
//   Anthropic events → OpenAI: chat.completion.chunk events (role, content, tool_calls by index,
//     finish_reason), the usage chunk when the client asked for it, and data: [DONE].
// Never throws on what an upstream sends; an event that cannot be read makes on_event() false
// (the relay ends the stream as broken). Bounded: at most kMaxBlocks content blocks per stream.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace airlock::translate {

inline constexpr std::size_t kMaxBlocks = 256;

class ChatToMessagesStream {
 public:
  // `data`: the event's data field (OpenAI events have no event: name). Appends to `out`.
  bool on_event(std::string_view data, std::string& out);
  // The upstream's stream is over ([DONE] or its end): closes the message. Idempotent.
  void finish(std::string& out);
  bool done() const { return done_; }

 private:
  void start(std::string& out);
  void close_text(std::string& out);
  std::string id_ = "msg_airlock", model_;
  bool started_ = false, done_ = false;
  int next_index_ = 0;
  int text_block_ = -1;
  std::map<std::int64_t, int> tool_blocks_;  // OpenAI tool_calls[].index → block index
  std::string stop_reason_ = "end_turn";
  nlohmann::json usage_ = nlohmann::json::object();
};

class MessagesToChatStream {
 public:
  MessagesToChatStream(std::int64_t created, bool include_usage) : created_(created), include_usage_(include_usage) {}
  bool on_event(std::string_view data, std::string& out);
  bool done() const { return done_; }

 private:
  void chunk(nlohmann::json delta, const nlohmann::json& finish, std::string& out) const;
  std::int64_t created_;
  bool include_usage_;
  bool done_ = false;
  std::string id_ = "chatcmpl-airlock", model_;
  std::map<std::int64_t, int> tools_;  // Anthropic block index → OpenAI tool_calls index
  nlohmann::json usage_ = nlohmann::json::object();  // Anthropic's, merged from message_start and message_delta
};

}  // namespace airlock::translate
