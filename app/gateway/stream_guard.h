#pragma once
// Guardrails on a streamed answer, event by event, with the framing the SDKs parse kept as it is.
// Each text channel (an OpenAI choice's content, refusal, each tool call's arguments, a legacy
// completion's text; an Anthropic content block's text or partial JSON) runs through its own
// guardrails::StreamText, which holds back the end of the text until it is safe to release:
//   - monitor only: events go on byte for byte and at once; the text is read to count;
//   - mask/block: an event whose text changed is written again ("data: " + JSON), and text still
//     held when its channel ends comes out in one more event of the same shape just before the
//     event that ends it (finish_reason, content_block_stop, [DONE], message_stop);
//   - a block ends the stream (the relay writes a content_policy_violation error event).
// Signed thinking blocks are passed as they are. An event that is not JSON is masked as text.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/dialect.h"
#include "gateway/json_leaves.h"
#include "gateway/sse.h"
#include "guardrails/stream_text.h"

namespace airlock::gateway {

class StreamGuard {
 public:
  StreamGuard(Dialect d, std::shared_ptr<const guardrails::Engine> engine, const guardrails::KeyOverride& key);
  bool active() const { return active_; }
  // The stream is the Responses API's typed events: text deltas are channels; the .done events and
  // the final response repeat the whole text, which is masked (or blocked) as a whole.
  void set_responses() { responses_ = true; }
  // Monitoring chat and messages streams reads each event's text without a DOM (json_leaves.h); off, every event
  // takes the DOM path. Both count the same (stream_guard_test, fuzz target relay).
  void set_fast_monitor(bool on) { fast_monitor_ = on; }
  // What one stream may make the guard hold: a hostile upstream opening channel after channel (a
  // new choice or tool-call index each event) must not grow memory without bound.
  static constexpr std::size_t kMaxChannels = 256;
  static constexpr std::size_t kMaxHeldBytes = 1 << 20;
  // True when the upstream passed those bounds: the stream is broken (not a policy block).
  bool broken() const { return broken_; }
  std::size_t channels() const { return channels_.size(); }

  // One upstream event: appends what goes to the client to `out`. False once a block hit (the
  // stream must end then; tally.blocked_by names the rule) or the upstream broke the bounds.
  bool on_event(const SseEvent& ev, std::string& out, guardrails::Tally& tally);
  // The stream ends without its own end marker: releases what every channel holds.
  void finish(std::string& out, guardrails::Tally& tally);

 private:
  struct Channel {
    std::unique_ptr<guardrails::StreamText> text;
    nlohmann::json shape;  // an event of this channel with the text left out, to carry held text
    std::string event;     // Anthropic's event: name
    std::vector<std::string> path;  // where the text sits in `shape`
  };
  Channel* channel(const std::string& id);  // null past kMaxChannels (broken_ set)
  bool over_held();
  void flush(const std::string& prefix, std::string& out, guardrails::Tally& tally);
  bool openai(nlohmann::json& j, bool& changed, std::string& before, guardrails::Tally& tally);
  bool anthropic(const std::string& name, nlohmann::json& j, bool& changed, std::string& before, guardrails::Tally& tally);
  bool responses(nlohmann::json& j, bool& changed, std::string& before, guardrails::Tally& tally);
  // Monitor only, OpenAI chat and completions chunks: false when the event must take the DOM path.
  bool monitor_openai(std::string_view data, guardrails::Tally& tally, bool& ok);
  bool monitor_anthropic(std::string_view data, guardrails::Tally& tally, bool& ok);

  Dialect dialect_;
  std::shared_ptr<const guardrails::Engine> engine_;
  guardrails::KeyOverride key_;
  bool active_ = false;
  bool responses_ = false;
  bool rewrite_ = false;  // some action changes text (mask or block)
  bool blocked_ = false;
  bool broken_ = false;
  bool fast_monitor_ = true;
  std::map<std::string, Channel> channels_;
  // The fast monitor's scratch, kept for its capacity.
  struct Piece {
    std::int64_t choice = 0;
    std::string channel;  // within the choice: "x", "content", "refusal", "t<index>"
    std::string text;
  };
  struct ChoiceFacts {
    std::string index;  // as the DOM path names it
    bool ends = false;
  };
  JsonLeaves leaves_;
  std::vector<Piece> pieces_;
  std::size_t used_ = 0;
  std::map<std::int64_t, ChoiceFacts> choices_;
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> tool_index_;
};

}  // namespace airlock::gateway
