// StepRouter: every branch of the routing rules and each threshold boundary (strict "above"),
// min_samples exploration, intelligent_routing off, and each A/B policy's choice.
#include <pipeline/hybrid/step_router.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

ModeStats scored(std::int64_t n, double mean) {
  ModeStats s;
  s.count = n;
  s.quality_n = n;
  s.quality_mean = mean;
  s.quality_sum = mean * static_cast<double>(n);
  return s;
}

struct RouterTest : ::testing::Test {
  HybridConfig cfg;
  RouteInput in;
  StepRouter router;
  void SetUp() override {
    cfg.intelligent_routing = true;
    in.run_mode = ExecutionMode::kHybrid;
    in.program_available = true;
    in.reference_free_metric = true;
    in.config = &cfg;
    in.workflow = "wf";
    in.step = "classify";
    in.episode = "ep-1";
    in.traditional = scored(10, 0.6);
  }
  Route with_benefit(double dspy_mean) {
    in.dspy = scored(10, dspy_mean);
    return router.route(in);
  }
};

TEST_F(RouterTest, ExecutionModeTraditionalWinsOverEveryMode) {
  in.step_forces_traditional = true;
  in.dspy = scored(10, 1.0);
  for (ExecutionMode m :
       {ExecutionMode::kDspyOptimized, ExecutionMode::kHybrid, ExecutionMode::kEvaluation}) {
    in.run_mode = m;
    Route r = router.route(in);
    EXPECT_EQ(r.mode, ExecutionMode::kTraditional);
    EXPECT_EQ(r.variant, Variant::kTraditional);
    EXPECT_EQ(r.reason, "step execution_mode: traditional");
  }
}

TEST_F(RouterTest, TraditionalModeRunsAsWritten) {
  in.run_mode = ExecutionMode::kTraditional;
  Route r = with_benefit(1.0);
  EXPECT_EQ(r.variant, Variant::kTraditional);
  EXPECT_EQ(r.reason, "mode traditional");
}

TEST_F(RouterTest, DspyOptimizedRunsTheProgramOrTraditionallyUntilOneIsReady) {
  in.run_mode = ExecutionMode::kDspyOptimized;
  Route r = router.route(in);
  EXPECT_EQ(r.mode, ExecutionMode::kDspyOptimized);
  EXPECT_EQ(r.variant, Variant::kDspyOptimized);
  in.program_available = false;
  in.program_missing_reason = "lazy optimization running";
  Route waiting = router.route(in);
  EXPECT_EQ(waiting.variant, Variant::kTraditional);
  EXPECT_EQ(waiting.reason, "no program: lazy optimization running; runs as written");
}

TEST_F(RouterTest, EvaluationReturnsTraditionalAndNeedsAProgram) {
  in.run_mode = ExecutionMode::kEvaluation;
  Route r = router.route(in);
  EXPECT_EQ(r.variant, Variant::kTraditional);
  EXPECT_THAT(r.reason, HasSubstr("both variants run"));
  in.program_available = false;
  EXPECT_THAT(router.route(in).reason, HasSubstr("no program"));
}

TEST_F(RouterTest, HybridWithoutAProgramRunsTraditional) {
  in.program_available = false;
  Route r = with_benefit(1.0);
  EXPECT_EQ(r.variant, Variant::kTraditional);
  EXPECT_EQ(r.reason, "no program; runs as written");
  EXPECT_EQ(r.ab, AbKind::kNone);
}

TEST_F(RouterTest, BenefitAboveTwiceTheThresholdRunsOptimized) {
  Route r = with_benefit(0.81);
  EXPECT_EQ(r.variant, Variant::kDspyOptimized);
  EXPECT_EQ(r.ab, AbKind::kNone);
  ASSERT_TRUE(r.benefit);
  EXPECT_NEAR(*r.benefit, 0.21, 1e-12);
  EXPECT_THAT(r.reason, HasSubstr("> 2 x performance_threshold"));
}

TEST_F(RouterTest, BenefitExactlyTwiceTheThresholdIsTheMiddleBand) {
  cfg.ab_testing_enabled = true;
  Route r = with_benefit(0.8);  // 0.8 - 0.6 is 0.20000000000000007 in binary: still the boundary
  EXPECT_EQ(r.ab, AbKind::kShadow);
  cfg.ab_testing_enabled = false;
  Route no_ab = with_benefit(0.8);
  EXPECT_EQ(no_ab.variant, Variant::kDspyOptimized);
  EXPECT_EQ(no_ab.ab, AbKind::kNone);
  EXPECT_THAT(no_ab.reason, HasSubstr("ab_testing_enabled off"));
}

TEST_F(RouterTest, BenefitAboveTheThresholdRunsAbWhenEnabled) {
  cfg.ab_testing_enabled = true;
  Route r = with_benefit(0.75);
  EXPECT_EQ(r.ab, AbKind::kShadow);
  EXPECT_EQ(r.variant, Variant::kTraditional);
  EXPECT_THAT(r.reason, HasSubstr("> performance_threshold 0.1: A/B shadow"));
}

TEST_F(RouterTest, BenefitAtOrBelowTheThresholdRunsTraditional) {
  cfg.ab_testing_enabled = true;
  Route at = with_benefit(0.7);  // exactly 0.1
  EXPECT_EQ(at.variant, Variant::kTraditional);
  EXPECT_EQ(at.ab, AbKind::kNone);
  EXPECT_THAT(at.reason, HasSubstr("<= performance_threshold"));
  Route worse = with_benefit(0.3);
  EXPECT_EQ(worse.variant, Variant::kTraditional);
  ASSERT_TRUE(worse.benefit);
  EXPECT_LT(*worse.benefit, 0);
}

TEST_F(RouterTest, TheThresholdIsConfigurable) {
  cfg.performance_threshold = 0.02;
  EXPECT_EQ(with_benefit(0.65).variant, Variant::kDspyOptimized);  // 0.05 > 0.04
  cfg.performance_threshold = 0.3;
  EXPECT_EQ(with_benefit(0.85).variant, Variant::kTraditional);  // 0.25 <= 0.3
}

TEST_F(RouterTest, FewerThanMinSamplesOfEitherVariantExploresByAb) {
  in.dspy = scored(4, 1.0);
  Route r = router.route(in);
  EXPECT_EQ(r.ab, AbKind::kShadow);
  EXPECT_EQ(r.dspy_samples, 4);
  EXPECT_EQ(r.traditional_samples, 10);
  EXPECT_THAT(r.reason, HasSubstr("exploring: 10 traditional and 4 dspy_optimized scores of "
                                  "min_samples 5"));
  in.dspy = scored(5, 1.0);  // exactly min_samples: the estimate is trusted
  EXPECT_EQ(router.route(in).variant, Variant::kDspyOptimized);
  EXPECT_EQ(router.route(in).ab, AbKind::kNone);
  in.traditional = scored(0, 0);
  in.dspy = scored(0, 0);
  Route none = router.route(in);
  EXPECT_EQ(none.ab, AbKind::kShadow);
  EXPECT_FALSE(none.benefit);
}

TEST_F(RouterTest, IntelligentRoutingOffIgnoresTheEstimate) {
  cfg.intelligent_routing = false;
  Route r = with_benefit(1.0);
  EXPECT_EQ(r.variant, Variant::kTraditional);
  EXPECT_EQ(r.ab, AbKind::kNone);
  EXPECT_THAT(r.reason, HasSubstr("intelligent_routing and ab_testing_enabled off"));
  cfg.ab_testing_enabled = true;
  Route ab = with_benefit(0.0);  // no estimate: a worse variant is still tested
  EXPECT_EQ(ab.ab, AbKind::kShadow);
  EXPECT_THAT(ab.reason, HasSubstr("intelligent_routing off: A/B shadow"));
}

TEST_F(RouterTest, ShadowWithoutAReferenceFreeMetricSplitsInstead) {
  in.reference_free_metric = false;
  in.dspy = scored(0, 0);
  Route r = router.route(in);
  EXPECT_EQ(r.ab, AbKind::kSplit);
  EXPECT_THAT(r.reason, HasSubstr("shadow needs a reference-free metric"));
}

TEST_F(RouterTest, SplitGivesAnEpisodeItsStickyVariant) {
  cfg.ab_policy = AbPolicy::kSplit;
  in.dspy = scored(0, 0);
  Route r = router.route(in);
  EXPECT_EQ(r.ab, AbKind::kSplit);
  EXPECT_EQ(r.variant, split_assign("wf", "classify", "ep-1", 0.5));
  cfg.split_share = 1.0;
  EXPECT_EQ(router.route(in).variant, Variant::kDspyOptimized);
  cfg.split_share = 0.0;
  EXPECT_EQ(router.route(in).variant, Variant::kTraditional);
}

TEST_F(RouterTest, AdaptiveDrawsUntilDecidedThenRunsTheWinner) {
  cfg.ab_policy = AbPolicy::kAdaptive;
  cfg.ab_testing_enabled = true;
  in.dspy = scored(3, 0.9);
  Route exploring = router.route(in);
  EXPECT_EQ(exploring.ab, AbKind::kAdaptive);
  ASSERT_TRUE(exploring.adaptive);
  EXPECT_FALSE(exploring.adaptive->decided);
  EXPECT_EQ(exploring.variant, adaptive_assign("wf", "classify", "ep-1", in.traditional, in.dspy));
  // A middle-band benefit with overwhelming evidence: the test has stopped.
  in.traditional = scored(400, 0.6);
  in.dspy = scored(400, 0.75);
  Route decided = router.route(in);
  ASSERT_TRUE(decided.adaptive);
  EXPECT_TRUE(decided.adaptive->decided);
  EXPECT_EQ(decided.variant, Variant::kDspyOptimized);
  EXPECT_THAT(decided.reason, HasSubstr("adaptive test decided, dspy_optimized better"));
}

TEST_F(RouterTest, RouteJsonHasTheIssuesShape) {
  Route r = with_benefit(0.9);
  json::object j = r.to_json();
  EXPECT_EQ(j.at("mode"), json::value("hybrid"));
  EXPECT_EQ(j.at("variant"), json::value("dspy_optimized"));
  EXPECT_TRUE(j.at("reason").is_string());
  EXPECT_NEAR(j.at("benefit").as_double(), 0.3, 1e-12);
  EXPECT_EQ(j.at("samples").at("traditional"), json::value(10));
  EXPECT_EQ(j.at("samples").at("dspy_optimized"), json::value(10));
  EXPECT_FALSE(j.contains("ab"));
  in.dspy = scored(0, 0);
  json::object ab = router.route(in).to_json();
  EXPECT_TRUE(ab.at("benefit").is_null());
  EXPECT_EQ(ab.at("ab"), json::value("shadow"));
}

TEST_F(RouterTest, WithoutAConfigTheDefaultsRouteNothingByEstimate) {
  in.config = nullptr;  // intelligent_routing and ab_testing_enabled default to false
  Route r = with_benefit(1.0);
  EXPECT_EQ(r.variant, Variant::kTraditional);
  EXPECT_EQ(r.ab, AbKind::kNone);
}

}  // namespace
}  // namespace pipeline
