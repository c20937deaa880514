#pragma once
// Text that arrives in pieces (the deltas of a streamed answer), checked as it flows. A detection
// can be split across two events ("4111 1111" then " 1111 1111"), so the last part of the text is
// held back until more arrives or the stream ends, and only the part before it is released:
//  - at least kWindow bytes are held, and the cut moves back to the start of a word, so a word
//    (an e-mail, a key, a JWT) is never released half-read;
//  - a detection that crosses the cut moves the cut to its start;
//  - an unfinished PEM block ("-----BEGIN … PRIVATE KEY-----" with no END yet) is held whole;
//  - never more than kMaxHold bytes: past that the oldest part is released (a single 16 KiB word).
// Number detections read at most 64 bytes ahead (detect.cpp kMaxRun), so a window of 64 sees them
// whole. Custom rules see what the window holds: a rule match longer than 64 bytes that straddles an
// event boundary may be missed (SECURITY.md).
#include <string>
#include <string_view>
#include <vector>

#include "guardrails/engine.h"

namespace airlock::guardrails {

class StreamText {
 public:
  static constexpr std::size_t kWindow = 64;
  static constexpr std::size_t kMaxHold = 16 * 1024;

  StreamText(const Engine& engine, Direction d, const KeyOverride& key) : engine_(engine), dir_(d), key_(key) {}

  // Appends a piece; returns what may be released now, masked. Counts what it releases into
  // `tally`; after a block hit it returns "" and blocked() is true.
  std::string push(std::string_view piece, Tally& tally);
  // The end of the stream: releases everything held.
  std::string finish(Tally& tally);
  bool blocked() const { return blocked_; }
  std::size_t held() const { return held_.size(); }

 private:
  std::string release(std::size_t cut, Tally& tally);
  std::size_t cut_point() const;
  const Engine& engine_;
  Direction dir_;
  KeyOverride key_;
  std::string held_;
  std::vector<Hit> hits_;
  bool blocked_ = false;
};

}  // namespace airlock::guardrails
