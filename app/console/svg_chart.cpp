#include "console/svg_chart.h"

#include <algorithm>
#include <cstdio>

#include "core/text.h"

namespace airlock::console {
namespace {

using core::xml_escape;

constexpr double kW = 720, kH = 200, kLeft = 64, kRight = 8, kTop = 16, kBottom = 32;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string human(double v) {
  char buf[32];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.1fG", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", v / 1e6);
  else if (v >= 1e4) std::snprintf(buf, sizeof buf, "%.0fk", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string frame(const std::string& title, const std::vector<std::string>& labels, double max, const std::string& unit) {
  std::string s = "<svg class=\"chart\" viewBox=\"0 0 " + num(kW) + " " + num(kH) + "\" role=\"img\" aria-label=\"" +
                  xml_escape(title) + "\"><title>" + xml_escape(title) + "</title>";
  double y0 = kH - kBottom;
  s += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(kW - kRight) + "\" y2=\"" + num(y0) + "\"/>";
  s += "<text class=\"tick\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(kTop + 12) + "\" text-anchor=\"end\">" +
       xml_escape(human(max) + unit) + "</text>";
  s += "<text class=\"tick\" x=\"" + num(kLeft - 6) + "\" y=\"" + num(y0) + "\" text-anchor=\"end\">0</text>";
  if (!labels.empty()) {
    double step = (kW - kLeft - kRight) / static_cast<double>(labels.size());
    // First, middle and last label; the outer ones anchored inwards so they are never clipped.
    for (std::size_t i : {std::size_t(0), labels.size() / 2, labels.size() - 1}) {
      double x = kLeft + step * (static_cast<double>(i) + 0.5);
      const char* anchor = i == 0 ? "start" : i + 1 == labels.size() ? "end" : "middle";
      if (i == 0) x = kLeft;
      if (i + 1 == labels.size() && i != 0) x = kW - kRight;
      s += "<text class=\"tick\" x=\"" + num(x) + "\" y=\"" + num(kH - 8) + "\" text-anchor=\"" + anchor + "\">" +
           xml_escape(labels[i]) + "</text>";
    }
  }
  return s;
}

double max_of(const std::vector<Series>& series) {
  double m = 0;
  for (const auto& s : series)
    for (double v : s.values) m = std::max(m, v);
  return m > 0 ? m : 1;
}

}  // namespace

std::string bar_chart(const std::string& title, const std::vector<std::string>& labels, const Series& series,
                      const std::string& unit) {
  double max = max_of({series});
  std::string s = frame(title, labels, max, unit);
  double n = static_cast<double>(std::max<std::size_t>(series.values.size(), 1));
  double step = (kW - kLeft - kRight) / n;
  double plot_h = kH - kTop - kBottom;
  for (std::size_t i = 0; i < series.values.size(); ++i) {
    double h = plot_h * series.values[i] / max;
    double x = kLeft + step * static_cast<double>(i) + step * 0.1;
    s += "<rect class=\"" + xml_escape(series.css) + "\" x=\"" + num(x) + "\" y=\"" + num(kH - kBottom - h) + "\" width=\"" +
         num(step * 0.8) + "\" height=\"" + num(h) + "\"><title>" + xml_escape(i < labels.size() ? labels[i] : "") + ": " +
         xml_escape(human(series.values[i])) + "</title></rect>";
  }
  return s + "</svg>";
}

std::string line_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<Series>& series,
                       const std::string& unit) {
  double max = max_of(series);
  std::string s = frame(title, labels, max, unit);
  double plot_h = kH - kTop - kBottom;
  double legend_x = kLeft + 8;
  for (const auto& line : series) {
    double n = static_cast<double>(std::max<std::size_t>(line.values.size(), 1));
    double step = (kW - kLeft - kRight) / n;
    std::string pts;
    for (std::size_t i = 0; i < line.values.size(); ++i)
      pts += num(kLeft + step * (static_cast<double>(i) + 0.5)) + "," + num(kH - kBottom - plot_h * line.values[i] / max) + " ";
    s += "<polyline class=\"" + xml_escape(line.css) + "\" fill=\"none\" points=\"" + pts + "\"/>";
    s += "<text class=\"legend " + xml_escape(line.css) + "\" x=\"" + num(legend_x) + "\" y=\"" + num(kTop + 10) + "\">" +
         xml_escape(line.name) + "</text>";
    legend_x += 80;
  }
  return s + "</svg>";
}

}  // namespace airlock::console
