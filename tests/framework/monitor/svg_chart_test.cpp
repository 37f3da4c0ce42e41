// The report's SVG charts: one point per value with its tooltip, one line skipping gaps, a fixed
// or rounded y axis, bars scaled to the largest value, "no data" when empty, and every label
// escaped with no external reference in the markup.
#include <pipeline/monitor/svg_chart.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

LineChart two_series() {
  return LineChart{.title = "quality",
                   .unit = ChartUnit::kScore,
                   .x_labels = {"a", "b", "c", "d", "e"},
                   .series = {{"traditional", {0.5, 0.6, std::nullopt, 0.7, 0.8}},
                              {"dspy_optimized", {0.9, std::nullopt, std::nullopt, 0.95, 1.0}}},
                   .y_max = 1.0};
}

TEST(SvgChart, EveryValueIsAPointWithATooltip) {
  const std::string svg = svg_line_chart(two_series());
  EXPECT_EQ(svg.rfind("<svg class=\"chart\"", 0), 0u);
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  EXPECT_EQ(count(svg, "<circle"), 4u + 3u);
  EXPECT_THAT(svg, HasSubstr("<title>traditional, d: 0.700</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>dspy_optimized, e: 1.000</title>"));
}

TEST(SvgChart, TheLineSkipsPositionsWithoutAValue) {
  // One line per series through its points; c has no value in either.
  const std::string svg = svg_line_chart(two_series());
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  // dspy_optimized: a, d, e at x 64, 427, 548 (the plot spans 64..548).
  EXPECT_THAT(svg, HasSubstr("points=\"64.0,48.6 427.0,41.3 548.0,34.0\""));
  // A single point draws no line.
  LineChart one{.title = "t",
                .unit = ChartUnit::kScore,
                .x_labels = {"a", "b"},
                .series = {{"s", {std::nullopt, 0.5}}},
                .y_max = 1.0};
  EXPECT_EQ(count(svg_line_chart(one), "<polyline"), 0u);
}

TEST(SvgChart, AFixedTopPutsTheMaximumOnTheTopGridLine) {
  // The plot's top is 34 px from the chart's top; a score of 1 with y_max 1 sits there.
  const std::string svg = svg_line_chart(two_series());
  EXPECT_THAT(svg, HasSubstr("cy=\"34.0\""));
  EXPECT_THAT(svg, HasSubstr(">1.000</text>"));  // the top y label
}

TEST(SvgChart, WithoutAFixedTopTheAxisRoundsUpFromTheData) {
  LineChart c{.title = "latency",
              .unit = ChartUnit::kMilliseconds,
              .x_labels = {"a", "b"},
              .series = {{"traditional", {120.0, 340.0}}},
              .y_max = std::nullopt};
  const std::string svg = svg_line_chart(c);
  EXPECT_THAT(svg, HasSubstr(">500.0 ms</text>"));  // 340 rounds up to 500
  EXPECT_THAT(svg, Not(HasSubstr(">340.0 ms</text>")));
}

TEST(SvgChart, AChartWithoutValuesSaysNoData) {
  LineChart c{.title = "cost",
              .unit = ChartUnit::kUsd,
              .x_labels = {"a"},
              .series = {{"traditional", {std::nullopt}}},
              .y_max = std::nullopt};
  const std::string svg = svg_line_chart(c);
  EXPECT_THAT(svg, HasSubstr(">no data</text>"));
  EXPECT_EQ(count(svg, "<circle"), 0u);
  EXPECT_THAT(svg_bar_chart({.title = "t", .unit = ChartUnit::kCount, .bars = {}}),
              HasSubstr(">no data</text>"));
}

TEST(SvgChart, LabelsAreEscaped) {
  LineChart c{.title = "<script>alert(1)</script>",
              .unit = ChartUnit::kScore,
              .x_labels = {"\"x\""},
              .series = {{"a'<b>", {0.5}}},
              .y_max = 1.0};
  const std::string svg = svg_line_chart(c);
  EXPECT_THAT(svg, Not(HasSubstr("<script>")));
  EXPECT_THAT(svg, Not(HasSubstr("<b>")));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(svg, HasSubstr("a&#39;&lt;b&gt;, &quot;x&quot;: 0.500"));
  const std::string bars =
      svg_bar_chart({.title = "t", .unit = ChartUnit::kCount, .bars = {{"<img src=x>", 1}}});
  EXPECT_THAT(bars, Not(HasSubstr("<img")));
  EXPECT_THAT(bars, HasSubstr("&lt;img src=x&gt;"));
}

TEST(SvgChart, BarsAreScaledToTheLargestValue) {
  const std::string svg = svg_bar_chart(
      {.title = "cost", .unit = ChartUnit::kUsd, .bars = {{"triage", 0.02}, {"notes", 0.01}}});
  EXPECT_EQ(count(svg, "<rect class=\"bar\""), 2u);
  // The bar area is 278 px wide (560 minus the label, value and right margins).
  EXPECT_THAT(svg, HasSubstr("width=\"278.0\""));
  EXPECT_THAT(svg, HasSubstr("width=\"139.0\""));
  EXPECT_THAT(svg, HasSubstr("<title>triage: $0.0200</title>"));
}

TEST(SvgChart, TheMarkupReferencesNothingOutsideItself) {
  const std::string svg =
      svg_line_chart(two_series()) +
      svg_bar_chart({.title = "b", .unit = ChartUnit::kCount, .bars = {{"x", 2}}});
  for (const char* bad : {"http:", "https:", "//", "href", "src=", "xmlns", "url("})
    EXPECT_THAT(svg, Not(HasSubstr(bad))) << bad;
}

TEST(SvgChart, ALongBarLabelIsShortenedButKeptWholeInTheTooltip) {
  const std::string name = "a-very-long-workflow-name-that-goes-on-\xc3\xa9\xc3\xa9\xc3\xa9";
  const std::string svg =
      svg_bar_chart({.title = "t", .unit = ChartUnit::kCount, .bars = {{name, 1}}});
  EXPECT_THAT(svg, HasSubstr(">a-very-long-workflow-name-\xe2\x80\xa6</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>" + name + ": 1</title>"));
  // Cut on a code point, never inside one.
  const std::string wide = std::string(25, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9";
  EXPECT_THAT(svg_bar_chart({.title = "t", .unit = ChartUnit::kCount, .bars = {{wide, 1}}}),
              HasSubstr(">" + std::string(25, 'x') + "\xc3\xa9\xe2\x80\xa6</text>"));
}

TEST(SvgChart, ValuesAreFormattedByUnit) {
  EXPECT_EQ(format_chart_value(0.85, ChartUnit::kScore), "0.850");
  EXPECT_EQ(format_chart_value(0.0012, ChartUnit::kUsd), "$0.001200");
  EXPECT_EQ(format_chart_value(1.5, ChartUnit::kUsd), "$1.5000");
  EXPECT_EQ(format_chart_value(0, ChartUnit::kUsd), "$0.0000");
  EXPECT_EQ(format_chart_value(120, ChartUnit::kMilliseconds), "120.0 ms");
  EXPECT_EQ(format_chart_value(12, ChartUnit::kCount), "12");
  EXPECT_EQ(format_chart_value(2.5, ChartUnit::kCount), "2.50");
}

}  // namespace
}  // namespace pipeline
