// The recommendation rules of the architecture at each boundary (strict comparisons, decimal
// boundaries exact), both costs 0 compared as equal, and "need more data" with what is missing.
#include <pipeline/monitor/mode_comparison.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Recommendation rec(double tq, double tc, double dq, double dc) {
  return recommend_mode(tq, tc, dq, dc).recommendation;
}

TEST(Recommendation, DspyNeedsMoreThanPointOneBetterQualityAtUnder1point2TimesTheCost) {
  EXPECT_EQ(rec(0.7, 1.0, 0.81, 1.1), Recommendation::kDspy);
  // Exactly +0.1 is not "more than" (0.7 + 0.1 rounds below 0.8 in binary; still the boundary).
  EXPECT_NE(rec(0.7, 1.0, 0.8, 1.1), Recommendation::kDspy);
  EXPECT_NE(rec(0.6, 1.0, 0.7, 1.0), Recommendation::kDspy);
  EXPECT_EQ(rec(0.7, 1.0, 0.8000001, 1.1), Recommendation::kDspy);
  // Exactly 1.2x the cost is not "under".
  EXPECT_NE(rec(0.5, 1.0, 0.9, 1.2), Recommendation::kDspy);
  EXPECT_EQ(rec(0.5, 1.0, 0.9, 1.1999999), Recommendation::kDspy);
  EXPECT_EQ(recommend_mode(0.5, 1.0, 0.9, 1.0).reason,
            "DSPy provides better quality at reasonable cost (quality +0.400, dspy_optimized at "
            "1.00x the traditional cost)");
}

TEST(Recommendation, TraditionalNeedsUnder0point8TimesTheCostWithinPoint05Quality) {
  EXPECT_EQ(rec(0.7, 0.79, 0.72, 1.0), Recommendation::kTraditional);
  // Exactly 0.8x is not "under": similar quality then says hybrid.
  EXPECT_EQ(rec(0.7, 0.8, 0.72, 1.0), Recommendation::kHybrid);
  // Quality exactly 0.05 below is not "within".
  EXPECT_EQ(rec(0.65, 0.5, 0.7, 1.0), Recommendation::kEvaluation);
  EXPECT_EQ(rec(0.6500001, 0.5, 0.7, 1.0), Recommendation::kTraditional);
  // Better traditional quality at a lower cost: traditional.
  EXPECT_EQ(rec(0.9, 0.1, 0.5, 1.0), Recommendation::kTraditional);
  EXPECT_THAT(recommend_mode(0.7, 0.5, 0.7, 1.0).reason,
              StartsWith("Traditional execution is more cost-effective"));
}

TEST(Recommendation, HybridWhenQualityIsWithinPoint05) {
  EXPECT_EQ(rec(0.70, 1.0, 0.7499, 1.0), Recommendation::kHybrid);
  EXPECT_EQ(rec(0.70, 1.0, 0.6501, 1.0), Recommendation::kHybrid);
  EXPECT_EQ(rec(0.70, 1.0, 0.75, 1.0), Recommendation::kEvaluation);  // exactly 0.05
  EXPECT_EQ(rec(0.75, 1.0, 0.70, 1.0), Recommendation::kEvaluation);
  EXPECT_THAT(recommend_mode(0.7, 1, 0.7, 1).reason,
              StartsWith("Performance is similar, use hybrid mode for A/B testing"));
}

TEST(Recommendation, OtherwiseGatherMoreData) {
  EXPECT_EQ(rec(0.5, 1.0, 0.58, 1.0), Recommendation::kEvaluation);  // +0.08: no rule
  EXPECT_EQ(rec(0.5, 1.0, 0.9, 2.0), Recommendation::kEvaluation);   // better but costly
  EXPECT_THAT(recommend_mode(0.5, 1, 0.58, 1).reason,
              StartsWith("Need more data to make recommendation"));
}

TEST(Recommendation, BothCostsZeroCompareAsEqualCost) {
  // The DSPy rule's cost condition holds ...
  EXPECT_EQ(rec(0.5, 0, 0.7, 0), Recommendation::kDspy);
  // ... and the traditional rule's does not: similar quality is hybrid, not traditional.
  EXPECT_EQ(rec(0.7, 0, 0.72, 0), Recommendation::kHybrid);
  EXPECT_EQ(rec(0.9, 0, 0.5, 0), Recommendation::kEvaluation);
  // Only one free: a plain comparison.
  EXPECT_EQ(rec(0.7, 0, 0.72, 0.001), Recommendation::kTraditional);
  EXPECT_EQ(rec(0.5, 0.001, 0.7, 0), Recommendation::kDspy);
  EXPECT_EQ(rec(0.5, 0, 0.7, 0.001), Recommendation::kEvaluation);
}

TEST(Recommendation, NamesAreTheArchitectures) {
  EXPECT_EQ(recommendation_name(Recommendation::kDspy), "recommend_dspy");
  EXPECT_EQ(recommendation_name(Recommendation::kTraditional), "recommend_traditional");
  EXPECT_EQ(recommendation_name(Recommendation::kHybrid), "recommend_hybrid");
  EXPECT_EQ(recommendation_name(Recommendation::kEvaluation), "recommend_evaluation");
}

ModeStats stats(std::int64_t quality_n, double quality, double cost, double latency = 10,
                double success = 1) {
  ModeStats s;
  s.count = quality_n + 1;
  s.quality_n = quality_n;
  s.quality_mean = quality;
  s.cost_per_call = cost;
  s.latency_mean_ms = latency;
  s.success_rate = success;
  return s;
}

TEST(CompareModes, FewerThanMinSamplesNeedsMoreDataAndSaysHowMany) {
  ModeComparison c = compare_modes(stats(2, 0.5, 1), stats(0, 0, 1), 5);
  EXPECT_EQ(c.recommendation, Recommendation::kEvaluation);
  EXPECT_TRUE(c.need_more_data());
  EXPECT_EQ(c.traditional_needed, 3);
  EXPECT_EQ(c.dspy_needed, 5);
  EXPECT_EQ(c.reason,
            "Need more data to make recommendation: traditional needs 3 more, dspy_optimized "
            "needs 5 more scored executions (min_samples 5)");
  EXPECT_FALSE(c.difference.quality.has_value());
  ModeComparison one = compare_modes(stats(5, 0.5, 1), stats(4, 0.9, 1), 5);
  EXPECT_EQ(one.dspy_needed, 1);
  EXPECT_EQ(one.traditional_needed, 0);
  EXPECT_THAT(one.reason, HasSubstr("dspy_optimized needs 1 more scored execution ("));
}

TEST(CompareModes, AtMinSamplesTheRulesApplyAndTheDifferenceIsDspyMinusTraditional) {
  ModeComparison c = compare_modes(stats(5, 0.5, 0.002, 100, 0.8), stats(5, 0.9, 0.002, 130, 1), 5);
  EXPECT_FALSE(c.need_more_data());
  EXPECT_EQ(c.recommendation, Recommendation::kDspy);
  EXPECT_DOUBLE_EQ(c.difference.execution_time_ms, 30);
  EXPECT_DOUBLE_EQ(c.difference.cost_usd, 0);
  ASSERT_TRUE(c.difference.quality);
  EXPECT_NEAR(*c.difference.quality, 0.4, 1e-12);
  EXPECT_NEAR(c.difference.success_rate, 0.2, 1e-12);
  json::object j = c.difference.to_json();
  EXPECT_TRUE(j.contains("execution_time_ms"));
  EXPECT_TRUE(j.contains("cost_usd"));
  EXPECT_TRUE(j.contains("quality"));
  EXPECT_TRUE(j.contains("success_rate"));
}

}  // namespace
}  // namespace pipeline
