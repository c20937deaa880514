// The guardrail scan alone, for bench/run.sh: a 32 KB prompt (prose with an e-mail address, a phone
// number, dates, amounts and ids every few hundred bytes) through every built-in detector on mask,
// as Engine::apply runs it on a request. Prints the median of 15 rounds of 400 scans, in µs per
// scan, for detect() alone and for apply() (scan, mask, rebuild the string).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "guardrails/engine.h"

using namespace airlock::guardrails;

int main() {
  const std::string paragraph =
      "Please summarise the meeting notes below for the quarterly review. Alice Martin (alice.martin@example.com) "
      "said revenue grew 12.5% to $1,234,567.89 on 2026-12-07T10:00:00Z and asked to be called at (202) 555-0178. "
      "Build 3.46.1-7 failed on host 10.0.0.12 with request 550e8400-e29b-41d4-a716-446655440000, order 123456789. ";
  std::string text;
  while (text.size() < 32768) text += paragraph;
  text.resize(32768);
  Policy p;
  p.requests.base = Action::kMask;
  auto engine = std::get<std::shared_ptr<const Engine>>(Engine::build(p));
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::vector<double> scan, apply;
  std::size_t sink = 0;
  for (int round = 0; round < 15; ++round) {
    constexpr int kScans = 400;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kScans; ++i) {
      Scan s;
      detect(text, s);
      sink += s.findings.size();
    }
    auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < kScans; ++i) {
      std::string t = text;
      Tally tally;
      engine->apply(t, Direction::kRequest, {}, tally);
      sink += t.size();
    }
    auto t2 = std::chrono::steady_clock::now();
    scan.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / kScans);
    apply.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count() / kScans);
  }
  std::printf("guardrail scan of a %zu-byte prompt: detect %.1f us, apply (mask) %.1f us (median of 15 rounds; %zu)\n",
              text.size(), median(scan), median(apply), sink % 10);
  return 0;
}
