#pragma once
// What Airlock does with what the detectors find: per direction (requests, responses) an action
// for each built-in detector, custom rules with their own action, and a key's override. The JSON
// form is the one the provisioning file, the management API and the console share:
//
//   {"requests": "mask",                                  // every built-in detector
//    "responses": {"default": "monitor", "secret": "mask"},  // or per detector
//    "rules": [{"name": "codenames", "keywords": ["bluebird"], "label": "[CODENAME]",
//               "action": "block", "applies_to": "requests"},
//              {"name": "employee-id", "pattern": "\\bEMP-[0-9]{6}\\b", "action": "mask"}],
//    "limits": {"max_chars": 32000, "max_urls": 5, "max_phones": 3},
//    "waf": {"violations_per_minute": 10, "block_seconds": 600}}
//
// Parsing checks every type and bound before use and names the field it refuses (read_policy).
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "guardrails/detect.h"

namespace airlock::guardrails {

// off: not looked for; monitor: counted and audited, text unchanged; mask: replaced by the label;
// block: the request (or the response) is refused with 400 content_policy_violation.
enum class Action : std::uint8_t { kOff, kMonitor, kMask, kBlock };
std::string_view action_name(Action a);
std::optional<Action> action_from_name(std::string_view name);

enum class Direction : std::uint8_t { kRequest, kResponse };

struct DirectionPolicy {
  Action base = Action::kMonitor;
  std::array<std::optional<Action>, kBuiltinCount> detectors{};
  Action of(Detector d) const;
  bool operator==(const DirectionPolicy&) const = default;
};

inline constexpr std::size_t kMaxRules = 64;
inline constexpr std::size_t kMaxPatternBytes = 1024;
inline constexpr std::size_t kMaxKeywords = 256;
inline constexpr std::size_t kMaxKeywordBytes = 128;

struct Rule {
  std::string name;                   // [a-z0-9_-], 1–64; names the rule in a block and the audit
  std::string label;                  // the replacement, "[" + NAME + "]" unless given
  Action action = Action::kMask;
  std::string pattern;                // RE2 syntax; exactly one of pattern and keywords
  std::vector<std::string> keywords;  // whole words, any case
  bool requests = true;
  bool responses = true;
  bool operator==(const Rule&) const = default;
};

// Input caps on what a request sends: characters (code points) over all its text, URLs
// ("http://", "https://") and phone numbers (what the phone detector finds, whatever its action).
// Unset: no cap. A request over a cap is refused (400) and counts as a violation for the WAF.
struct Caps {
  std::optional<std::int64_t> max_chars;
  std::optional<std::int64_t> max_urls;
  std::optional<std::int64_t> max_phones;
  bool any() const { return max_chars || max_urls || max_phones; }
  // This caps, with `over`'s set fields replacing ours.
  Caps with(const Caps& over) const;
  bool operator==(const Caps&) const = default;
};

// The WAF: a key or a client address with `violations_per_minute` refusals (caps, guardrail
// blocks, malformed bodies) within a minute is refused for `block_seconds` (429 with Retry-After).
// 0 violations turns it off.
// Burst detection: a key whose requests in the current minute pass `burst_factor` times its own
// baseline (a moving average of its earlier minutes, at least 10 a minute) and 60 requests is
// flagged (audited, counted), at most once per 10 minutes; with `burst_block` it is also blocked.
// 0 turns it off.
struct WafSettings {
  std::int64_t violations_per_minute = 10;
  std::int64_t block_seconds = 600;
  std::int64_t burst_factor = 10;
  bool burst_block = false;
  bool operator==(const WafSettings&) const = default;
};

struct Policy {
  DirectionPolicy requests;   // a new install monitors both directions
  DirectionPolicy responses;
  std::vector<Rule> rules;
  Caps caps;
  WafSettings waf;
  const DirectionPolicy& direction(Direction d) const { return d == Direction::kRequest ? requests : responses; }
  bool operator==(const Policy&) const = default;
};

// A key's override: when set, one action for every detector and rule in that direction.
struct KeyOverride {
  std::optional<Action> requests;
  std::optional<Action> responses;
  Caps caps;  // set fields replace the organisation's
  std::optional<Action> of(Direction d) const { return d == Direction::kRequest ? requests : responses; }
  bool operator==(const KeyOverride&) const = default;
};

struct PolicyProblem {
  std::string field;    // dotted path: "rules[2].pattern"
  std::string message;  // what is wrong, never the whole input
};

// Reads the JSON form; rules are checked for shape here and compiled by CompiledRules.
std::variant<Policy, PolicyProblem> read_policy(const nlohmann::json& j);
nlohmann::json write_policy(const Policy& p);

// "mask", or "requests=mask,responses=off" (either part may be left out), with caps after a comma
// ("mask,max_chars=8192,max_urls=5,max_phones=3"): the CLI's and the API's key override.
// "inherit" (or "") is no override.
std::variant<KeyOverride, PolicyProblem> read_key_override(std::string_view text);
std::string write_key_override(const KeyOverride& o);  // "" when nothing is overridden

}  // namespace airlock::guardrails
