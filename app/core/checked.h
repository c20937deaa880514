#pragma once
// Saturating 64-bit arithmetic for counts and money: a token or byte count that would wrap turns a
// budget check around (a huge max_tokens once made an estimate negative and admitted everything).
// Saturating keeps the comparison on the safe side; inputs are bounded where they enter anyway.
#include <cstdint>
#include <limits>

namespace airlock::core {

inline std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

inline std::int64_t sat_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  return (a < 0) != (b < 0) ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
}

// `v` limited to [lo, hi].
inline std::int64_t clamp64(std::int64_t v, std::int64_t lo, std::int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

}  // namespace airlock::core
