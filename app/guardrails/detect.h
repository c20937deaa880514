#pragma once
// The built-in detectors: e-mail addresses, payment cards, US Social Security numbers, phone
// numbers and secrets (provider and cloud keys, PEM private keys, JWTs), found in one forward pass
// over the text. Linear time and no regular expressions: each byte is looked at a bounded number of
// times whatever the input (a number run is read at most kMaxRun bytes ahead, an e-mail's domain
// never past the next '@', a PEM block line by line), so a hostile prompt costs what its length
// costs. What each detector takes and leaves is written beside it in detect.cpp and in SECURITY.md.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace airlock::guardrails {

enum class Detector : std::uint8_t { kEmail, kCard, kSsn, kPhone, kSecret, kRule };
inline constexpr std::size_t kBuiltinCount = 5;  // the detectors before kRule
inline constexpr std::array<Detector, kBuiltinCount> kBuiltins = {Detector::kEmail, Detector::kCard, Detector::kSsn,
                                                                  Detector::kPhone, Detector::kSecret};

std::string_view detector_name(Detector d);   // "email", "card", "ssn", "phone", "secret", "rule"
std::string_view detector_label(Detector d);  // "[EMAIL]", "[CARD]", …
std::optional<Detector> detector_from_name(std::string_view name);  // built-ins only

struct Finding {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;  // one past the last byte
  Detector detector = Detector::kEmail;
  std::int32_t rule = -1;  // the custom rule's index when detector is kRule
};

struct Scan {
  std::vector<Finding> findings;  // ordered by begin, never overlapping
  std::uint32_t urls = 0;         // "http://" and "https://" at a word start, for the input caps
  std::uint32_t count(Detector d) const;
};

// The longest text the scanner reads (positions are 32-bit); request bodies are capped far below.
inline constexpr std::size_t kMaxScanBytes = std::size_t{1} << 31;

// Appends the built-in detections in `text` to `out`. Text beyond kMaxScanBytes is not read.
void detect(std::string_view text, Scan& out);

// Luhn (ISO/IEC 7812-1) over a string of ASCII digits.
bool luhn_valid(std::string_view digits);

}  // namespace airlock::guardrails
