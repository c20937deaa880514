#pragma once
// A policy made ready to run: custom rules compiled once (RE2, linear time, bounded memory), then
// shared read-only by every event loop. Built again, and swapped whole, when the policy changes.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "guardrails/detect.h"
#include "guardrails/policy.h"

namespace re2 {
class RE2;
}

namespace airlock::guardrails {

struct Hit {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  Detector detector = Detector::kEmail;
  std::int32_t rule = -1;
  Action action = Action::kMonitor;  // never kOff: what is off is not reported
};

// What one request or response produced: counts only, never the text.
struct Tally {
  std::array<std::uint32_t, kBuiltinCount> found{};  // detections per built-in detector
  std::vector<std::uint32_t> rule_found;              // per custom rule, by index
  // The same detections by what was done with them: [detector, custom rules last][action].
  std::array<std::array<std::uint32_t, 4>, kBuiltinCount + 1> by_action{};
  std::uint32_t masked = 0;
  // What the input caps look at, whatever the detectors' actions: URLs and phone numbers seen,
  // characters (code points) of the text read.
  std::uint32_t urls = 0;
  std::uint32_t phones = 0;
  std::uint64_t chars = 0;
  std::optional<std::string> over_cap;  // "max_chars" | "max_urls" | "max_phones" when one was passed
  std::optional<std::string> blocked_by;  // the detector's or rule's name
  std::uint32_t total() const;
  void add(const Hit& h);
};

class Engine {
 public:
  ~Engine();
  // Compiles the rules; a rule RE2 refuses comes back naming it and RE2's reason.
  static std::variant<std::shared_ptr<const Engine>, PolicyProblem> build(Policy policy);
  const Policy& policy() const { return policy_; }

  // The action for a detector or rule in direction d, after the key's override.
  Action action(Direction d, const KeyOverride& key, Detector det, std::int32_t rule = -1) const;
  // True when nothing in direction d can be reported: the text need not be read at all.
  bool idle(Direction d, const KeyOverride& key) const;
  // True when some action in direction d can change or refuse text (mask or block).
  bool changes(Direction d, const KeyOverride& key) const;
  // True when some action in direction d is block.
  bool blocks(Direction d, const KeyOverride& key) const;

  // Every detection in `text` whose action is not off, ordered by begin (they may overlap: a rule
  // can match inside an e-mail). Built-ins come from detect(), rules from RE2.
  // With `counts`, the built-in scan always runs and adds its URLs and phone numbers there.
  void hits(std::string_view text, Direction d, const KeyOverride& key, std::vector<Hit>& out, Tally* counts = nullptr) const;
  // Only what the input caps need: URLs and phone numbers in `text`, added to `counts`.
  static void count(std::string_view text, Tally& counts);

  // Scans, counts into `tally`, and rewrites `text` when something is masked. False when a hit's
  // action is block (tally.blocked_by names it); the text is then left as it was.
  bool apply(std::string& text, Direction d, const KeyOverride& key, Tally& tally) const;

 private:
  explicit Engine(Policy p);
  Policy policy_;
  std::vector<std::unique_ptr<re2::RE2>> compiled_;  // one per rule, same order
  const std::string& label(const Hit& h) const;
  friend std::string masked_text(std::string_view text, const std::vector<Hit>& hits, const Engine& e);
};

// `text` with every mask hit replaced by its label; overlapping mask hits become one label (the
// first's). Hits must be ordered by begin.
std::string masked_text(std::string_view text, const std::vector<Hit>& hits, const Engine& e);

}  // namespace airlock::guardrails
