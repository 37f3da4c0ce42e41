#include <pipeline/monitor/svg_chart.hpp>
#include <pipeline/util/html_escape.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace pipeline {

namespace {

constexpr double kWidth = 560;
constexpr double kHeight = 220;
constexpr double kLeft = 64;  // room for the y labels
constexpr double kRight = 12;
constexpr double kTop = 34;  // the title and the legend
constexpr double kBottom = 40;
constexpr std::size_t kMaxXLabels = 6;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// 1, 2 or 5 times a power of ten at or above `v`: a y axis top a reader can divide.
double nice_ceiling(double v) {
  if (v <= 0 || !std::isfinite(v)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (v <= m * p * (1 + 1e-9)) return m * p;
  return 10 * p;
}

// At most `max` code points, the rest as an ellipsis: a long name must not run off the chart's
// left edge (the full name stays in the bar's tooltip).
std::string shorten(const std::string& text, std::size_t max) {
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (++points > max) return text.substr(0, i) + "\u2026";
  }
  return text;
}

void open_svg(std::ostringstream& out, double height, const std::string& title) {
  out << "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " << num(kWidth) << " " << num(height)
      << "\" width=\"" << num(kWidth) << "\" height=\"" << num(height) << "\" aria-label=\""
      << html_escape(title) << "\"><title>" << html_escape(title) << "</title>"
      << "<text class=\"chart-title\" x=\"" << num(kLeft) << "\" y=\"16\">" << html_escape(title)
      << "</text>";
}

}  // namespace

std::string format_chart_value(double v, ChartUnit unit) {
  char buf[48];
  switch (unit) {
    case ChartUnit::kScore:
      std::snprintf(buf, sizeof buf, "%.3f", v);
      break;
    case ChartUnit::kUsd:
      // Per-call costs are fractions of a cent: enough digits to tell them apart.
      if (v != 0 && std::fabs(v) < 0.01)
        std::snprintf(buf, sizeof buf, "$%.6f", v);
      else
        std::snprintf(buf, sizeof buf, "$%.4f", v);
      break;
    case ChartUnit::kMilliseconds:
      std::snprintf(buf, sizeof buf, "%.1f ms", v);
      break;
    case ChartUnit::kCount:
      if (v == std::floor(v))
        std::snprintf(buf, sizeof buf, "%.0f", v);
      else
        std::snprintf(buf, sizeof buf, "%.2f", v);
      break;
  }
  return buf;
}

std::string series_color(std::size_t i) {
  static constexpr std::array<const char*, 6> kPalette = {"#1f6fb4", "#e5770b", "#2a9d3c",
                                                          "#c62828", "#7b4fb0", "#8c564b"};
  return kPalette[i % kPalette.size()];
}

std::string svg_line_chart(const LineChart& chart) {
  std::ostringstream out;
  open_svg(out, kHeight, chart.title);
  double max_v = 0;
  bool any = false;
  for (const ChartSeries& s : chart.series)
    for (const auto& v : s.values)
      if (v && std::isfinite(*v)) {
        any = true;
        max_v = std::max(max_v, *v);
      }
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  if (!any) {
    out << "<text class=\"chart-empty\" x=\"" << num(kLeft + plot_w / 2) << "\" y=\""
        << num(kTop + plot_h / 2) << "\" text-anchor=\"middle\">no data</text></svg>";
    return out.str();
  }
  const double y_max = chart.y_max ? *chart.y_max : nice_ceiling(max_v);
  const std::size_t n = std::max<std::size_t>(chart.x_labels.size(), 1);
  auto x_at = [&](std::size_t i) {
    return n == 1 ? kLeft + plot_w / 2 : kLeft + plot_w * static_cast<double>(i) / (n - 1);
  };
  auto y_at = [&](double v) { return kTop + plot_h * (1 - std::clamp(v / y_max, 0.0, 1.0)); };
  // Axes and four grid lines, each labelled.
  for (int k = 0; k <= 4; ++k) {
    const double v = y_max * k / 4;
    const double y = y_at(v);
    out << "<line class=\"grid\" x1=\"" << num(kLeft) << "\" x2=\"" << num(kLeft + plot_w)
        << "\" y1=\"" << num(y) << "\" y2=\"" << num(y) << "\"/>"
        << "<text class=\"axis\" x=\"" << num(kLeft - 6) << "\" y=\"" << num(y + 4)
        << "\" text-anchor=\"end\">" << html_escape(format_chart_value(v, chart.unit)) << "</text>";
  }
  const std::size_t step = (n + kMaxXLabels - 1) / kMaxXLabels;
  for (std::size_t i = 0; i < chart.x_labels.size(); i += step)
    out << "<text class=\"axis\" x=\"" << num(x_at(i)) << "\" y=\"" << num(kTop + plot_h + 16)
        << "\" text-anchor=\"middle\">" << html_escape(chart.x_labels[i]) << "</text>";
  // The legend along the top, right of the title.
  double lx = kLeft + plot_w * 0.45;
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    out << "<rect x=\"" << num(lx) << "\" y=\"8\" width=\"10\" height=\"10\" fill=\""
        << series_color(si) << "\"/><text class=\"legend\" x=\"" << num(lx + 14) << "\" y=\"17\">"
        << html_escape(chart.series[si].name) << "</text>";
    lx += 24 + 7.0 * static_cast<double>(chart.series[si].name.size());
  }
  for (std::size_t si = 0; si < chart.series.size(); ++si) {
    const ChartSeries& s = chart.series[si];
    const std::string color = series_color(si);
    // One line through the series' values in x order: an empty bucket means nothing ran then,
    // not a break in the trend, so the line skips it.
    std::string points;
    std::size_t present = 0;
    for (std::size_t i = 0; i < s.values.size() && i < n; ++i) {
      if (!s.values[i] || !std::isfinite(*s.values[i])) continue;
      points += (points.empty() ? "" : " ") + num(x_at(i)) + "," + num(y_at(*s.values[i]));
      ++present;
    }
    if (present >= 2)
      out << "<polyline class=\"series\" fill=\"none\" stroke=\"" << color
          << "\" stroke-width=\"2\" points=\"" << points << "\"/>";
    for (std::size_t i = 0; i < s.values.size() && i < n; ++i) {
      if (!s.values[i] || !std::isfinite(*s.values[i])) continue;
      const std::string x_label = i < chart.x_labels.size() ? chart.x_labels[i] : "";
      out << "<circle class=\"point\" cx=\"" << num(x_at(i)) << "\" cy=\""
          << num(y_at(*s.values[i])) << "\" r=\"3\" fill=\"" << color << "\"><title>"
          << html_escape(s.name + ", " + x_label + ": " +
                         format_chart_value(*s.values[i], chart.unit))
          << "</title></circle>";
    }
  }
  out << "</svg>";
  return out.str();
}

std::string svg_bar_chart(const BarChart& chart) {
  constexpr double kRow = 22;
  constexpr double kLabelW = 180;
  constexpr double kValueW = 90;
  constexpr std::size_t kLabelChars = 26;  // what fits in kLabelW at the axis font size
  const double height =
      kTop + kRow * static_cast<double>(std::max<std::size_t>(chart.bars.size(), 1)) + 8;
  std::ostringstream out;
  open_svg(out, height, chart.title);
  if (chart.bars.empty()) {
    out << "<text class=\"chart-empty\" x=\"" << num(kLeft) << "\" y=\"" << num(kTop + 14)
        << "\">no data</text></svg>";
    return out.str();
  }
  double max_v = 0;
  for (const auto& [label, v] : chart.bars) max_v = std::max(max_v, v);
  const double bar_w = kWidth - kLabelW - kValueW - kRight;
  double y = kTop;
  for (std::size_t i = 0; i < chart.bars.size(); ++i) {
    const auto& [label, v] = chart.bars[i];
    const double w = max_v > 0 ? bar_w * std::clamp(v / max_v, 0.0, 1.0) : 0;
    const std::string text = format_chart_value(v, chart.unit);
    out << "<text class=\"axis\" x=\"" << num(kLabelW - 6) << "\" y=\"" << num(y + 15)
        << "\" text-anchor=\"end\">" << html_escape(shorten(label, kLabelChars)) << "</text>"
        << "<rect class=\"bar\" x=\"" << num(kLabelW) << "\" y=\"" << num(y + 3) << "\" width=\""
        << num(std::max(w, 1.0)) << "\" height=\"" << num(kRow - 6) << "\" fill=\""
        << series_color(i) << "\"><title>" << html_escape(label + ": " + text) << "</title></rect>"
        << "<text class=\"axis\" x=\"" << num(kLabelW + w + 6) << "\" y=\"" << num(y + 15) << "\">"
        << html_escape(text) << "</text>";
    y += kRow;
  }
  out << "</svg>";
  return out.str();
}

}  // namespace pipeline
