#pragma once
// Shared by the libFuzzer targets in this folder (cmake/fuzz.cmake builds one binary per target).
// A target checks the properties its parser promises in its header; a broken promise aborts with
// the property's name, which libFuzzer reports as a crash and saves the input for.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace airlock::fuzz {

[[noreturn]] inline void broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz property broken: %s (%s:%d)\n", what, file, line);
  std::abort();
}

// Not assert(): the check stays on whatever NDEBUG says.
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::airlock::fuzz::broken(#cond, __FILE__, __LINE__))

// The input as text, and a control byte taken off its front (0 for an empty input). Targets use the
// control byte to pick split points and options, so the same bytes are tried both ways.
struct Input {
  std::uint8_t ctrl = 0;
  std::string_view text;
};

inline Input take_control_byte(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  return {data[0], std::string_view(reinterpret_cast<const char*>(data + 1), size - 1)};
}

// A cut in 0..n chosen by `pick` (0..255), spread over the whole length.
inline std::size_t cut_point(std::uint8_t pick, std::size_t n) { return n * pick / 255; }

// True when `part` lies inside `whole` (views the parser handed out must point into its input).
inline bool inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  const auto b = reinterpret_cast<std::uintptr_t>(whole.data());
  const auto p = reinterpret_cast<std::uintptr_t>(part.data());
  return p >= b && p + part.size() <= b + whole.size();
}

// The next line of `rest` (without its '\n'), which is advanced past it; targets whose input is
// several fields read them this way.
inline std::string_view next_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const std::string_view out = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return out;
}

}  // namespace airlock::fuzz
