// A/B assignment: split is sticky per episode and holds its share within 2 points over 10,000
// episodes; the Beta comparison is exact enough; the adaptive policy converges on a clearly
// better variant and stops at the configured confidence, reproducibly.
#include <pipeline/hybrid/ab_assignment.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace pipeline {
namespace {

TEST(SplitAssign, AnEpisodeAlwaysGetsTheSameVariant) {
  for (int i = 0; i < 200; ++i) {
    const std::string ep = "episode-" + std::to_string(i);
    const Variant first = split_assign("wf", "classify", ep, 0.5);
    for (int k = 0; k < 3; ++k) EXPECT_EQ(split_assign("wf", "classify", ep, 0.5), first);
  }
  EXPECT_EQ(assignment_hash("wf", "s", "e"), assignment_hash("wf", "s", "e"));
  // The separator keeps the ids apart.
  EXPECT_NE(assignment_hash("ab", "c", "e"), assignment_hash("a", "bc", "e"));
  EXPECT_NE(assignment_hash("wf", "a", "e"), assignment_hash("wf", "b", "e"));
}

TEST(SplitAssign, TheShareHoldsWithinTwoPointsOver10000Episodes) {
  for (double share : {0.5, 0.2, 0.9}) {
    int dspy = 0;
    for (int i = 0; i < 10000; ++i)
      if (split_assign("triage", "classify", "run-" + std::to_string(i), share) ==
          Variant::kDspyOptimized)
        ++dspy;
    EXPECT_NEAR(dspy / 10000.0, share, 0.02) << "share " << share;
  }
}

TEST(SplitAssign, ShareZeroAndOneAreAbsolute) {
  for (int i = 0; i < 1000; ++i) {
    const std::string ep = std::to_string(i);
    EXPECT_EQ(split_assign("w", "s", ep, 0.0), Variant::kTraditional);
    EXPECT_EQ(split_assign("w", "s", ep, 1.0), Variant::kDspyOptimized);
  }
}

TEST(ProbabilityBetter, MatchesClosedForms) {
  EXPECT_NEAR(probability_better({1, 1}, {1, 1}), 0.5, 1e-6);
  EXPECT_NEAR(probability_better({2, 1}, {1, 1}), 2.0 / 3, 1e-4);  // int 2x * x dx
  EXPECT_NEAR(probability_better({1, 1}, {2, 1}), 1.0 / 3, 1e-4);
  EXPECT_NEAR(probability_better({30, 10}, {30, 10}), 0.5, 1e-6);
  EXPECT_GT(probability_better({900, 100}, {500, 500}), 0.999999);
}

ModeStats scores(std::int64_t n, double sum) {
  ModeStats s;
  s.count = s.quality_n = n;
  s.quality_sum = sum;
  s.quality_mean = n ? sum / static_cast<double>(n) : 0;
  return s;
}

TEST(AdaptiveDecision, StopsOnlyWithMinSamplesAndTheConfidence) {
  // Clearly better but too few samples of one variant.
  AdaptiveDecision few = adaptive_decision(scores(50, 10), scores(4, 4), 0.95, 5);
  EXPECT_FALSE(few.decided);
  EXPECT_EQ(few.winner, Variant::kDspyOptimized);
  EXPECT_GT(few.probability, 0.95);
  AdaptiveDecision enough = adaptive_decision(scores(50, 10), scores(5, 5), 0.95, 5);
  EXPECT_TRUE(enough.decided);
  EXPECT_EQ(enough.traditional_samples, 50);
  EXPECT_EQ(enough.dspy_samples, 5);
  // Equal evidence never decides.
  AdaptiveDecision tie = adaptive_decision(scores(100, 50), scores(100, 50), 0.95, 5);
  EXPECT_FALSE(tie.decided);
  EXPECT_NEAR(tie.probability, 0.5, 1e-6);
  // Traditional better.
  AdaptiveDecision trad = adaptive_decision(scores(40, 36), scores(40, 12), 0.99, 5);
  EXPECT_TRUE(trad.decided);
  EXPECT_EQ(trad.winner, Variant::kTraditional);
  json::object j = trad.to_json();
  EXPECT_EQ(j.at("winner"), json::value("traditional"));
  EXPECT_EQ(j.at("decided"), json::value(true));
  EXPECT_EQ(j.at("samples").at("dspy_optimized"), json::value(40));
}

// A deterministic stand-in for scoring an output: variant quality means 0.8 vs 0.4, with
// per-episode noise from the episode hash.
double simulated_quality(Variant v, int episode) {
  const double noise =
      assignment_point("sim", "noise", std::to_string(episode)) * 0.2 - 0.1;  // [-0.1, 0.1)
  return (v == Variant::kDspyOptimized ? 0.8 : 0.4) + noise;
}

struct Simulation {
  ModeStats trad, dspy;
  int dspy_runs_late = 0;  // dspy assignments in the last half of the episodes before the stop
  int stopped_at = -1;
  Variant winner = Variant::kTraditional;
};

Simulation simulate(int max_episodes) {
  Simulation sim;
  sim.trad = scores(0, 0);
  sim.dspy = scores(0, 0);
  for (int e = 0; e < max_episodes; ++e) {
    AdaptiveDecision d = adaptive_decision(sim.trad, sim.dspy, 0.95, 5);
    if (d.decided) {
      sim.stopped_at = e;
      sim.winner = d.winner;
      break;
    }
    const Variant v =
        adaptive_assign("wf", "classify", "ep-" + std::to_string(e), sim.trad, sim.dspy);
    ModeStats& s = v == Variant::kDspyOptimized ? sim.dspy : sim.trad;
    s = scores(s.quality_n + 1, s.quality_sum + simulated_quality(v, e));
  }
  return sim;
}

TEST(AdaptiveAssign, ConvergesOnTheClearlyBetterVariantAndStops) {
  Simulation sim = simulate(500);
  ASSERT_GE(sim.stopped_at, 0) << "the test never stopped";
  EXPECT_EQ(sim.winner, Variant::kDspyOptimized);
  EXPECT_GE(sim.trad.quality_n, 5);
  EXPECT_GE(sim.dspy.quality_n, 5);
  // The share moved toward the better variant: it got most of the episodes.
  EXPECT_GT(sim.dspy.quality_n, sim.trad.quality_n);
  EXPECT_LT(sim.stopped_at, 200);
}

TEST(AdaptiveAssign, RerunsReproduce) {
  Simulation a = simulate(500);
  Simulation b = simulate(500);
  EXPECT_EQ(a.stopped_at, b.stopped_at);
  EXPECT_EQ(a.dspy.quality_n, b.dspy.quality_n);
  ModeStats t = scores(7, 3), d = scores(9, 6);
  for (int i = 0; i < 50; ++i) {
    const std::string ep = std::to_string(i);
    EXPECT_EQ(adaptive_assign("w", "s", ep, t, d), adaptive_assign("w", "s", ep, t, d));
  }
}

TEST(AdaptiveAssign, TheShareFollowsTheEvidence) {
  // With a strong lead for dspy the draws pick it for nearly every episode; with none, about
  // half.
  ModeStats t = scores(30, 12), d = scores(30, 24);
  ModeStats t0 = scores(0, 0), d0 = scores(0, 0);
  int lead = 0, even = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string ep = std::to_string(i);
    if (adaptive_assign("w", "s", ep, t, d) == Variant::kDspyOptimized) ++lead;
    if (adaptive_assign("w", "s", ep, t0, d0) == Variant::kDspyOptimized) ++even;
  }
  EXPECT_GT(lead / 2000.0, 0.95);
  EXPECT_NEAR(even / 2000.0, 0.5, 0.05);
}

}  // namespace
}  // namespace pipeline
