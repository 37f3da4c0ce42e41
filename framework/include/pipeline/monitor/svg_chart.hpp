// Charts as inline SVG markup, drawn on the server so the report needs no script and no library:
// a line chart of a few series over labelled x positions (time buckets), and a bar chart of
// labelled values. Every label is HTML-escaped; the markup carries no xmlns or external
// reference (it is meant to be inlined in an HTML page), class="chart" and an accessible title.
//
//   LineChart c{.title = "quality", .unit = ChartUnit::kScore, .x_labels = {"13:00", "13:05"},
//               .series = {{"traditional", {0.5, std::nullopt}}, {"dspy_optimized", {0.8, 0.9}}}};
//   html += svg_line_chart(c);
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pipeline {

// How values and the y axis are written.
enum class ChartUnit {
  kScore,         // 0.850
  kUsd,           // $0.0012
  kMilliseconds,  // 120 ms
  kCount          // 12
};

std::string format_chart_value(double v, ChartUnit unit);

struct ChartSeries {
  std::string name{};
  // One per x label; nullopt where the series has no value (its line skips the position).
  std::vector<std::optional<double>> values{};
};

struct LineChart {
  std::string title{};
  ChartUnit unit = ChartUnit::kCount;
  std::vector<std::string> x_labels{};
  std::vector<ChartSeries> series{};
  std::optional<double> y_max{};  // fixed top of the y axis (1 for a score); else from the data
};

// A series' values are joined by one line in x order, skipping positions without a value; every
// point is a circle with a tooltip (<title>) naming series, x label and value. A chart with no
// value at all says "no data" instead of drawing axes.
std::string svg_line_chart(const LineChart& chart);

struct BarChart {
  std::string title{};
  ChartUnit unit = ChartUnit::kCount;
  std::vector<std::pair<std::string, double>> bars{};  // label, value (>= 0), drawn in order
};

// Horizontal bars scaled to the largest value, the label on the left and the value on the right.
std::string svg_bar_chart(const BarChart& chart);

// The colour of the i-th series (a fixed palette, repeating), so a legend elsewhere can match.
std::string series_color(std::size_t i);

}  // namespace pipeline
