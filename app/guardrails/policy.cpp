#include "guardrails/policy.h"

#include <algorithm>

#include "core/text.h"

namespace airlock::guardrails {
namespace {

using nlohmann::json;

PolicyProblem problem(std::string field, std::string message) { return {std::move(field), std::move(message)}; }

bool rule_name_ok(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// A label is what replaces the match in text that goes upstream or back to the client: printable
// ASCII only, so it can never carry markup, control bytes or a second copy of the secret.
bool label_ok(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string default_label(std::string_view name) {
  std::string l = "[";
  for (char c : name) l += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return l + "]";
}

std::optional<PolicyProblem> read_action(const json& v, const std::string& field, Action& out) {
  if (!v.is_string()) return problem(field, "Must be one of off, monitor, mask, block.");
  auto a = action_from_name(v.get_ref<const std::string&>());
  if (!a) return problem(field, "Must be one of off, monitor, mask, block.");
  out = *a;
  return std::nullopt;
}

std::optional<PolicyProblem> read_direction(const json& v, const std::string& field, DirectionPolicy& out) {
  if (v.is_string()) return read_action(v, field, out.base);
  if (!v.is_object()) return problem(field, "Must be an action or an object of actions per detector.");
  for (const auto& [k, a] : v.items()) {
    std::string f = field + "." + k;
    if (k == "default") {
      if (auto p = read_action(a, f, out.base)) return p;
      continue;
    }
    auto d = detector_from_name(k);
    if (!d) return problem(f, "Unknown detector; the detectors are email, card, ssn, phone, secret.");
    Action act{};
    if (auto p = read_action(a, f, act)) return p;
    out.detectors[static_cast<std::size_t>(*d)] = act;
  }
  return std::nullopt;
}

std::optional<PolicyProblem> read_rule(const json& v, const std::string& field, Rule& r) {
  if (!v.is_object()) return problem(field, "Each rule must be an object.");
  for (const auto& [k, _] : v.items())
    if (k != "name" && k != "label" && k != "action" && k != "pattern" && k != "keywords" && k != "applies_to")
      return problem(field + "." + k, "Unknown field.");
  auto name = v.find("name");
  if (name == v.end() || !name->is_string() || !rule_name_ok(name->get_ref<const std::string&>()))
    return problem(field + ".name", "Required: 1-64 characters of a-z, 0-9, '-' and '_'.");
  r.name = name->get<std::string>();
  if (auto a = v.find("action"); a != v.end()) {
    if (auto p = read_action(*a, field + ".action", r.action)) return p;
  }
  if (auto l = v.find("label"); l != v.end()) {
    if (!l->is_string() || !label_ok(l->get_ref<const std::string&>()))
      return problem(field + ".label", "Must be 1-40 printable ASCII characters.");
    r.label = l->get<std::string>();
  } else {
    r.label = default_label(r.name);
  }
  auto pat = v.find("pattern");
  auto kws = v.find("keywords");
  if ((pat == v.end()) == (kws == v.end()))
    return problem(field, "A rule has exactly one of pattern (a regular expression) and keywords (a list of words).");
  if (pat != v.end()) {
    if (!pat->is_string() || pat->get_ref<const std::string&>().empty() ||
        pat->get_ref<const std::string&>().size() > kMaxPatternBytes || !core::valid_utf8(pat->get_ref<const std::string&>()))
      return problem(field + ".pattern", "Must be a regular expression of 1-1024 bytes of UTF-8.");
    r.pattern = pat->get<std::string>();
  } else {
    if (!kws->is_array() || kws->empty() || kws->size() > kMaxKeywords)
      return problem(field + ".keywords", "Must be a list of 1-256 words.");
    for (std::size_t i = 0; i < kws->size(); ++i) {
      const auto& w = (*kws)[i];
      if (!w.is_string() || w.get_ref<const std::string&>().empty() ||
          w.get_ref<const std::string&>().size() > kMaxKeywordBytes || !core::valid_utf8(w.get_ref<const std::string&>()))
        return problem(field + ".keywords[" + std::to_string(i) + "]", "Each keyword is 1-128 bytes of UTF-8.");
      r.keywords.push_back(w.get<std::string>());
    }
  }
  if (auto at = v.find("applies_to"); at != v.end()) {
    std::string s = at->is_string() ? at->get<std::string>() : "";
    if (s == "requests") r.responses = false;
    else if (s == "responses") r.requests = false;
    else if (s != "both") return problem(field + ".applies_to", "Must be requests, responses or both.");
  }
  return std::nullopt;
}

constexpr std::int64_t kMaxCap = 100'000'000;

std::optional<PolicyProblem> read_count(const json& v, const std::string& field, std::int64_t lo, std::int64_t hi,
                                        std::optional<std::int64_t>& out) {
  if (v.is_null()) {
    out.reset();
    return std::nullopt;
  }
  if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi)
    return problem(field, "Must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) + ", or null.");
  out = v.get<std::int64_t>();
  return std::nullopt;
}

std::optional<PolicyProblem> read_caps(const json& v, const std::string& field, Caps& caps) {
  if (!v.is_object()) return problem(field, "Must be an object: max_chars, max_urls, max_phones.");
  for (const auto& [k, x] : v.items()) {
    std::optional<std::int64_t>* slot = k == "max_chars" ? &caps.max_chars : k == "max_urls" ? &caps.max_urls
                                        : k == "max_phones" ? &caps.max_phones : nullptr;
    if (!slot) return problem(field + "." + k, "Unknown field; the caps are max_chars, max_urls, max_phones.");
    if (auto p = read_count(x, field + "." + k, 0, kMaxCap, *slot)) return p;
  }
  return std::nullopt;
}

std::optional<PolicyProblem> read_waf(const json& v, WafSettings& waf) {
  if (!v.is_object()) return problem("waf", "Must be an object: violations_per_minute, block_seconds.");
  for (const auto& [k, x] : v.items()) {
    std::optional<std::int64_t> n;
    if (k == "violations_per_minute") {
      if (auto p = read_count(x, "waf." + k, 0, 10000, n); p || !n) return p ? p : problem("waf." + k, "Must be a number.");
      waf.violations_per_minute = *n;
    } else if (k == "burst_factor") {
      if (auto p = read_count(x, "waf." + k, 0, 1000, n); p || !n) return p ? p : problem("waf." + k, "Must be a number.");
      waf.burst_factor = *n;
    } else if (k == "burst_block") {
      if (!x.is_boolean()) return problem("waf." + k, "Must be true or false.");
      waf.burst_block = x.get<bool>();
    } else if (k == "block_seconds") {
      if (auto p = read_count(x, "waf." + k, 1, 7 * 86400, n); p || !n) return p ? p : problem("waf." + k, "Must be a number.");
      waf.block_seconds = *n;
    } else {
      return problem("waf." + k, "Unknown field; the WAF takes violations_per_minute, block_seconds, burst_factor, burst_block.");
    }
  }
  return std::nullopt;
}

json caps_json(const Caps& c) {
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); };
  return {{"max_chars", opt(c.max_chars)}, {"max_urls", opt(c.max_urls)}, {"max_phones", opt(c.max_phones)}};
}

}  // namespace

Caps Caps::with(const Caps& over) const {
  Caps c = *this;
  if (over.max_chars) c.max_chars = over.max_chars;
  if (over.max_urls) c.max_urls = over.max_urls;
  if (over.max_phones) c.max_phones = over.max_phones;
  return c;
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::kOff: return "off";
    case Action::kMonitor: return "monitor";
    case Action::kMask: return "mask";
    case Action::kBlock: return "block";
  }
  return "off";
}

std::optional<Action> action_from_name(std::string_view name) {
  for (Action a : {Action::kOff, Action::kMonitor, Action::kMask, Action::kBlock})
    if (action_name(a) == name) return a;
  return std::nullopt;
}

Action DirectionPolicy::of(Detector d) const {
  if (d == Detector::kRule) return base;
  const auto& o = detectors[static_cast<std::size_t>(d)];
  return o ? *o : base;
}

std::variant<Policy, PolicyProblem> read_policy(const json& j) {
  if (!j.is_object()) return problem("guardrails", "Must be an object.");
  Policy p;
  for (const auto& [k, v] : j.items()) {
    if (k == "requests") {
      if (auto e = read_direction(v, "requests", p.requests)) return *e;
    } else if (k == "responses") {
      if (auto e = read_direction(v, "responses", p.responses)) return *e;
    } else if (k == "rules") {
      if (!v.is_array() || v.size() > kMaxRules) return problem("rules", "Must be a list of at most 64 rules.");
      for (std::size_t i = 0; i < v.size(); ++i) {
        Rule r;
        if (auto e = read_rule(v[i], "rules[" + std::to_string(i) + "]", r)) return *e;
        for (const auto& other : p.rules)
          if (other.name == r.name) return problem("rules[" + std::to_string(i) + "].name", "Two rules share this name.");
        p.rules.push_back(std::move(r));
      }
    } else if (k == "limits") {
      if (auto e = read_caps(v, "limits", p.caps)) return *e;
    } else if (k == "waf") {
      if (auto e = read_waf(v, p.waf)) return *e;
    } else {
      return problem(k, "Unknown field.");
    }
  }
  return p;
}

json write_policy(const Policy& p) {
  auto dir = [](const DirectionPolicy& d) -> json {
    bool any = std::any_of(d.detectors.begin(), d.detectors.end(), [](const auto& o) { return o.has_value(); });
    if (!any) return std::string(action_name(d.base));
    json o = json::object();
    o["default"] = std::string(action_name(d.base));
    for (Detector det : kBuiltins)
      if (const auto& a = d.detectors[static_cast<std::size_t>(det)]) o[std::string(detector_name(det))] = std::string(action_name(*a));
    return o;
  };
  json rules = json::array();
  for (const auto& r : p.rules) {
    json o = {{"name", r.name}, {"label", r.label}, {"action", std::string(action_name(r.action))}};
    if (r.pattern.empty()) o["keywords"] = r.keywords;
    else o["pattern"] = r.pattern;
    o["applies_to"] = r.requests && r.responses ? "both" : r.requests ? "requests" : "responses";
    rules.push_back(std::move(o));
  }
  return {{"requests", dir(p.requests)}, {"responses", dir(p.responses)}, {"rules", std::move(rules)},
          {"limits", caps_json(p.caps)},
          {"waf", {{"violations_per_minute", p.waf.violations_per_minute}, {"block_seconds", p.waf.block_seconds},
                   {"burst_factor", p.waf.burst_factor}, {"burst_block", p.waf.burst_block}}}};
}

std::variant<KeyOverride, PolicyProblem> read_key_override(std::string_view text) {
  KeyOverride o;
  if (text == "inherit" || text.empty()) return o;
  auto bad = problem("guardrails", "Use an action (off, monitor, mask, block), inherit, or requests=ACTION,responses=ACTION; "
                                   "caps as max_chars=N, max_urls=N, max_phones=N.");
  if (text.size() > 200) return bad;
  bool both = false;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t comma = text.find(',', at);
    std::string_view part = text.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      auto a = action_from_name(part);
      if (!a || both || o.requests || o.responses) return bad;
      o.requests = o.responses = *a;
      both = true;
    } else {
      auto which = part.substr(0, eq);
      auto value = part.substr(eq + 1);
      std::optional<std::int64_t>* cap = which == "max_chars" ? &o.caps.max_chars : which == "max_urls" ? &o.caps.max_urls
                                         : which == "max_phones" ? &o.caps.max_phones : nullptr;
      if (cap) {
        std::int64_t n = 0;
        if (value.empty() || value.size() > 9 || *cap) return bad;
        for (char c : value) {
          if (c < '0' || c > '9') return bad;
          n = n * 10 + (c - '0');
        }
        *cap = n;
      } else {
        auto a = action_from_name(value);
        if (!a || both) return bad;
        if (which == "requests" && !o.requests) o.requests = *a;
        else if (which == "responses" && !o.responses) o.responses = *a;
        else return bad;
      }
    }
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return o;
}

std::string write_key_override(const KeyOverride& o) {
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ",") + part; };
  if (o.requests && o.responses && *o.requests == *o.responses) {
    add(std::string(action_name(*o.requests)));
  } else {
    if (o.requests) add("requests=" + std::string(action_name(*o.requests)));
    if (o.responses) add("responses=" + std::string(action_name(*o.responses)));
  }
  if (o.caps.max_chars) add("max_chars=" + std::to_string(*o.caps.max_chars));
  if (o.caps.max_urls) add("max_urls=" + std::to_string(*o.caps.max_urls));
  if (o.caps.max_phones) add("max_phones=" + std::to_string(*o.caps.max_phones));
  return s;
}

}  // namespace airlock::guardrails
