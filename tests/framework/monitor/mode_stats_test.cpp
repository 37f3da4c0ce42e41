// summarize: counts, nearest-rank latency percentiles, success rate, cost per call, and the
// quality mean with its Student-t 95% interval.
#include <pipeline/monitor/mode_stats.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pipeline {
namespace {

StepRecord rec(double latency, std::optional<double> quality, bool success = true,
               double cost = 0) {
  StepRecord r;
  r.workflow = "w";
  r.step = "s";
  r.variant = "traditional";
  r.latency_ms = latency;
  r.quality = quality;
  r.success = success;
  r.cost_usd = cost;
  return r;
}

TEST(ModeStats, NoRecordsGiveZeroCountsAndANullQuality) {
  ModeStats s = summarize({});
  EXPECT_EQ(s.count, 0);
  EXPECT_EQ(s.quality_n, 0);
  EXPECT_DOUBLE_EQ(s.success_rate, 0);
  json::object j = s.to_json();
  EXPECT_TRUE(j.at("quality").at("mean").is_null());
  EXPECT_EQ(j.at("n"), json::value(0));
}

TEST(ModeStats, LatencyPercentilesAreNearestRank) {
  std::vector<StepRecord> rs;
  for (int i = 20; i >= 1; --i) rs.push_back(rec(i * 10.0, std::nullopt));  // 10..200
  ModeStats s = summarize(rs);
  EXPECT_EQ(s.count, 20);
  EXPECT_DOUBLE_EQ(s.latency_mean_ms, 105);
  EXPECT_DOUBLE_EQ(s.latency_p50_ms, 100);  // ceil(0.5 * 20) = 10th value
  EXPECT_DOUBLE_EQ(s.latency_p95_ms, 190);  // ceil(0.95 * 20) = 19th value
  ModeStats one = summarize(std::vector<StepRecord>{rec(7, std::nullopt)});
  EXPECT_DOUBLE_EQ(one.latency_p50_ms, 7);
  EXPECT_DOUBLE_EQ(one.latency_p95_ms, 7);
}

TEST(ModeStats, SuccessRateAndCostPerCallCountEveryExecution) {
  std::vector<StepRecord> rs{rec(1, 1.0, true, 0.01), rec(1, std::nullopt, false, 0.03),
                             rec(1, 0.5, true, 0.02), rec(1, std::nullopt, true, 0.0)};
  ModeStats s = summarize(rs);
  EXPECT_DOUBLE_EQ(s.success_rate, 0.75);
  EXPECT_DOUBLE_EQ(s.cost_per_call, 0.015);
  EXPECT_DOUBLE_EQ(s.total_cost, 0.06);
  EXPECT_EQ(s.quality_n, 2);  // only the scored ones
  EXPECT_DOUBLE_EQ(s.quality_mean, 0.75);
  EXPECT_DOUBLE_EQ(s.quality_sum, 1.5);
}

TEST(ModeStats, QualityIntervalUsesStudentT) {
  // 0.6, 0.7, 0.8: mean 0.7, sample sd 0.1, t(2) = 4.303, half width 4.303 * 0.1 / sqrt(3).
  std::vector<StepRecord> rs{rec(1, 0.6), rec(1, 0.7), rec(1, 0.8)};
  ModeStats s = summarize(rs);
  const double half = 4.303 * 0.1 / std::sqrt(3.0);
  EXPECT_NEAR(s.quality_mean, 0.7, 1e-12);
  EXPECT_NEAR(s.quality_ci_low, 0.7 - half, 1e-9);
  EXPECT_NEAR(s.quality_ci_high, 0.7 + half, 1e-9);
}

TEST(ModeStats, OneScoreHasAZeroWidthIntervalAndWideOnesAreClippedToTheScoreRange) {
  ModeStats one = summarize(std::vector<StepRecord>{rec(1, 0.4)});
  EXPECT_DOUBLE_EQ(one.quality_ci_low, 0.4);
  EXPECT_DOUBLE_EQ(one.quality_ci_high, 0.4);
  ModeStats wide = summarize(std::vector<StepRecord>{rec(1, 0.0), rec(1, 1.0)});
  EXPECT_DOUBLE_EQ(wide.quality_ci_low, 0.0);
  EXPECT_DOUBLE_EQ(wide.quality_ci_high, 1.0);
}

TEST(TQuantile, TableThenExpansionTowardTheNormal) {
  EXPECT_DOUBLE_EQ(t_quantile_975(1), 12.706);
  EXPECT_DOUBLE_EQ(t_quantile_975(30), 2.042);
  EXPECT_DOUBLE_EQ(t_quantile_975(0), 12.706);
  EXPECT_NEAR(t_quantile_975(40), 2.021, 1e-3);
  EXPECT_NEAR(t_quantile_975(120), 1.980, 1e-3);
  EXPECT_NEAR(t_quantile_975(1000000), 1.96, 1e-3);
  EXPECT_LT(t_quantile_975(31), t_quantile_975(30));
}

TEST(ModeStats, JsonHasTheComparedFigures) {
  json::object j = summarize(std::vector<StepRecord>{rec(10, 0.5, true, 0.002)}).to_json();
  EXPECT_EQ(j.at("n"), json::value(1));
  EXPECT_DOUBLE_EQ(j.at("quality").at("mean").as_double(), 0.5);
  EXPECT_EQ(j.at("quality").at("n"), json::value(1));
  EXPECT_DOUBLE_EQ(j.at("latency_ms").at("p95").as_double(), 10);
  EXPECT_DOUBLE_EQ(j.at("cost_usd").as_double(), 0.002);
  EXPECT_DOUBLE_EQ(j.at("success_rate").as_double(), 1);
}

}  // namespace
}  // namespace pipeline
