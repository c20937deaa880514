#pragma once
// Small server-rendered SVG charts for the usage dashboard (no script, no external assets, so the
// CSP stays strict). The SVG is built from numbers and escaped labels only; it is safe to embed.
#include <cstdint>
#include <string>
#include <vector>

namespace airlock::console {

struct Series {
  std::string name;   // legend text
  std::string css;    // class for the bars or line: "s1", "s2", "s3"
  std::vector<double> values;
};

// Bars for one series or lines for several, over `labels` (x axis: first, middle and last shown).
// `title` is the accessible name; `unit` follows the y-axis maximum ("ms", "").
std::string bar_chart(const std::string& title, const std::vector<std::string>& labels, const Series& series,
                      const std::string& unit);
std::string line_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<Series>& series,
                       const std::string& unit);

}  // namespace airlock::console
