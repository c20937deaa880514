#include "guardrails/stream_text.h"

namespace airlock::guardrails {
namespace {

bool space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Whether the private-key block that starts at `begin` may still grow: no END line yet, or an END
// line whose closing "-----" has not arrived and still could (detect.cpp reads it up to 80 bytes,
// on one line).
bool block_open(const std::string& t, std::size_t begin) {
  std::size_t e = t.find("-----END ", begin);
  if (e == std::string::npos) return true;
  constexpr std::string_view close = "-----";
  for (std::size_t f = e + 9; f - e <= 80; ++f) {  // where detect.cpp looks for the closing
    if (f >= t.size()) return true;
    if (t[f] == '\n') return false;
    std::size_t have = std::min(close.size(), t.size() - f);
    if (std::string_view(t).substr(f, have) == close.substr(0, have)) return have < close.size();
  }
  return false;
}

}  // namespace

std::size_t StreamText::cut_point() const {
  const std::string& t = held_;
  if (t.size() <= kWindow) return 0;
  std::size_t forced = t.size() - kWindow;
  std::size_t begin = t.rfind("-----BEGIN ");
  bool open_block = begin != std::string::npos && block_open(t, begin);
  // Each rule can only move the cut earlier; repeat until none does. The cut always lands just
  // after white space: what follows is then read exactly as the whole text would read it.
  std::size_t c = forced;
  for (;;) {
    std::size_t before = c;
    while (c > 0 && !space(t[c - 1])) --c;
    if (open_block && begin < c) c = begin;  // an unfinished private-key block stays whole
    for (const auto& h : hits_)
      if (h.begin < c && h.end > c) c = h.begin;
    if (c == before) break;
  }
  if (c == 0 && t.size() > kMaxHold) c = forced;
  return c;
}

std::string StreamText::release(std::size_t cut, Tally& tally) {
  std::vector<Hit> out;
  for (const auto& h : hits_) {
    if (h.begin >= cut) continue;  // one that starts before a forced cut goes out masked up to the cut
    out.push_back(h);
    tally.add(h);
    if (h.action == Action::kMask) ++tally.masked;
    if (h.action == Action::kBlock && !blocked_) {
      blocked_ = true;
      tally.blocked_by = h.detector == Detector::kRule ? engine_.policy().rules[static_cast<std::size_t>(h.rule)].name
                                                       : std::string(detector_name(h.detector));
    }
  }
  if (blocked_) {
    held_.clear();
    return {};
  }
  // A hit cut through by a forced release is masked whole in what goes out.
  for (auto& h : out) h.end = std::min<std::uint32_t>(h.end, static_cast<std::uint32_t>(cut));
  std::string text = masked_text(std::string_view(held_).substr(0, cut), out, engine_);
  held_.erase(0, cut);
  return text;
}

std::string StreamText::push(std::string_view piece, Tally& tally) {
  if (blocked_) return {};
  held_.append(piece);
  if (held_.size() <= kWindow) return {};
  hits_.clear();
  if (!engine_.idle(dir_, key_)) engine_.hits(held_, dir_, key_, hits_);
  std::size_t cut = cut_point();
  if (cut == 0) return {};
  return release(cut, tally);
}

std::string StreamText::finish(Tally& tally) {
  if (blocked_) return {};
  hits_.clear();
  if (!engine_.idle(dir_, key_)) engine_.hits(held_, dir_, key_, hits_);
  return release(held_.size(), tally);
}

}  // namespace airlock::guardrails
