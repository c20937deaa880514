#include "guardrails/engine.h"

#include <re2/re2.h>

#include <algorithm>

namespace airlock::guardrails {
namespace {

// RE2's own bound on a compiled program and its DFA cache; past it RE2 falls back to its NFA,
// slower but still linear. 64 rules × 2 MiB stays well inside what one process should spend.
constexpr std::int64_t kRuleMaxMem = 2 << 20;

std::string keyword_pattern(const std::vector<std::string>& words) {
  std::string p = "(?i)\\b(?:";
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) p += '|';
    p += re2::RE2::QuoteMeta(words[i]);
  }
  return p + ")\\b";
}

}  // namespace

std::uint32_t Tally::total() const {
  std::uint32_t n = 0;
  for (auto c : found) n += c;
  for (auto c : rule_found) n += c;
  return n;
}

void Tally::add(const Hit& h) {
  std::size_t row = h.detector == Detector::kRule ? kBuiltinCount : static_cast<std::size_t>(h.detector);
  ++by_action[row][static_cast<std::size_t>(h.action)];
  if (h.detector == Detector::kRule) {
    auto i = static_cast<std::size_t>(h.rule);
    if (rule_found.size() <= i) rule_found.resize(i + 1);
    ++rule_found[i];
  } else {
    ++found[static_cast<std::size_t>(h.detector)];
  }
}

Engine::Engine(Policy p) : policy_(std::move(p)) {}
Engine::~Engine() = default;

std::variant<std::shared_ptr<const Engine>, PolicyProblem> Engine::build(Policy policy) {
  std::shared_ptr<Engine> e(new Engine(std::move(policy)));
  for (std::size_t i = 0; i < e->policy_.rules.size(); ++i) {
    const Rule& r = e->policy_.rules[i];
    re2::RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(kRuleMaxMem);
    o.set_never_capture(true);
    auto re = std::make_unique<re2::RE2>(r.pattern.empty() ? keyword_pattern(r.keywords) : r.pattern, o);
    if (!re->ok()) {
      std::string field = "rules[" + std::to_string(i) + "]." + (r.pattern.empty() ? "keywords" : "pattern");
      return PolicyProblem{field, "The rule '" + r.name + "' does not compile: " + re->error().substr(0, 200)};
    }
    e->compiled_.push_back(std::move(re));
  }
  return std::shared_ptr<const Engine>(std::move(e));
}

Action Engine::action(Direction d, const KeyOverride& key, Detector det, std::int32_t rule) const {
  if (det == Detector::kRule) {
    const Rule& r = policy_.rules[static_cast<std::size_t>(rule)];
    if (!(d == Direction::kRequest ? r.requests : r.responses)) return Action::kOff;
    if (auto k = key.of(d)) return *k;
    return r.action;
  }
  if (auto k = key.of(d)) return *k;
  return policy_.direction(d).of(det);
}

namespace {
template <class Pred>
bool any_action(const Engine& e, const Policy& p, Direction d, const KeyOverride& key, Pred pred) {
  for (Detector det : kBuiltins)
    if (pred(e.action(d, key, det))) return true;
  for (std::size_t i = 0; i < p.rules.size(); ++i)
    if (pred(e.action(d, key, Detector::kRule, static_cast<std::int32_t>(i)))) return true;
  return false;
}
}  // namespace

bool Engine::idle(Direction d, const KeyOverride& key) const {
  return !any_action(*this, policy_, d, key, [](Action a) { return a != Action::kOff; });
}

bool Engine::changes(Direction d, const KeyOverride& key) const {
  return any_action(*this, policy_, d, key, [](Action a) { return a == Action::kMask || a == Action::kBlock; });
}

bool Engine::blocks(Direction d, const KeyOverride& key) const {
  return any_action(*this, policy_, d, key, [](Action a) { return a == Action::kBlock; });
}

void Engine::count(std::string_view text, Tally& counts) {
  Scan s;
  detect(text, s);
  counts.urls += s.urls;
  counts.phones += s.count(Detector::kPhone);
}

void Engine::hits(std::string_view text, Direction d, const KeyOverride& key, std::vector<Hit>& out,
                  Tally* counts) const {
  text = text.substr(0, std::min(text.size(), kMaxScanBytes));
  std::array<Action, kBuiltinCount> acts{};
  bool any_builtin = counts != nullptr;
  for (Detector det : kBuiltins) {
    acts[static_cast<std::size_t>(det)] = action(d, key, det);
    any_builtin = any_builtin || acts[static_cast<std::size_t>(det)] != Action::kOff;
  }
  std::size_t first = out.size();
  if (any_builtin) {
    Scan s;
    detect(text, s);
    if (counts) {
      counts->urls += s.urls;
      counts->phones += s.count(Detector::kPhone);
    }
    for (const auto& f : s.findings) {
      Action a = acts[static_cast<std::size_t>(f.detector)];
      if (a != Action::kOff) out.push_back({f.begin, f.end, f.detector, -1, a});
    }
  }
  bool rules_hit = false;
  for (std::size_t i = 0; i < compiled_.size(); ++i) {
    Action a = action(d, key, Detector::kRule, static_cast<std::int32_t>(i));
    if (a == Action::kOff) continue;
    const re2::RE2& re = *compiled_[i];
    re2::StringPiece whole(text.data(), text.size()), m;
    std::size_t pos = 0;
    while (pos <= text.size() && re.Match(whole, pos, text.size(), re2::RE2::UNANCHORED, &m, 1)) {
      auto b = static_cast<std::size_t>(m.data() - text.data());
      std::size_t e = b + m.size();
      if (e > b) {
        out.push_back({static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e), Detector::kRule,
                       static_cast<std::int32_t>(i), a});
        rules_hit = true;
      }
      pos = e > b ? e : b + 1;  // an empty match moves on by one byte
    }
  }
  if (rules_hit)
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                     [](const Hit& x, const Hit& y) { return x.begin < y.begin; });
}

const std::string& Engine::label(const Hit& h) const {
  static const std::array<std::string, kBuiltinCount> builtin = {
      std::string(detector_label(Detector::kEmail)), std::string(detector_label(Detector::kCard)),
      std::string(detector_label(Detector::kSsn)), std::string(detector_label(Detector::kPhone)),
      std::string(detector_label(Detector::kSecret))};
  if (h.detector == Detector::kRule) return policy_.rules[static_cast<std::size_t>(h.rule)].label;
  return builtin[static_cast<std::size_t>(h.detector)];
}

std::string masked_text(std::string_view text, const std::vector<Hit>& hits, const Engine& e) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const Hit& h = hits[i];
    if (h.action != Action::kMask) continue;
    if (h.end <= at) continue;  // inside a range already replaced
    std::size_t end = h.end;
    // Overlapping mask hits after this one widen the replaced range.
    for (std::size_t j = i + 1; j < hits.size() && hits[j].begin < end; ++j)
      if (hits[j].action == Action::kMask) end = std::max<std::size_t>(end, hits[j].end);
    std::size_t b = std::max<std::size_t>(h.begin, at);
    out.append(text.substr(at, b - at));
    if (b == h.begin) out += e.label(h);  // a hit that starts inside a replaced range adds no second label
    at = end;
  }
  out.append(text.substr(at));
  return out;
}

bool Engine::apply(std::string& text, Direction d, const KeyOverride& key, Tally& tally) const {
  if (idle(d, key)) return true;
  std::vector<Hit> found;
  hits(text, d, key, found, &tally);
  bool mask = false;
  for (const auto& h : found) {
    tally.add(h);
    if (h.action == Action::kBlock && !tally.blocked_by)
      tally.blocked_by = h.detector == Detector::kRule ? policy_.rules[static_cast<std::size_t>(h.rule)].name
                                                       : std::string(detector_name(h.detector));
    if (h.action == Action::kMask) {
      mask = true;
      ++tally.masked;
    }
  }
  if (tally.blocked_by) return false;
  if (mask) text = masked_text(text, found, *this);
  return true;
}

}  // namespace airlock::guardrails
