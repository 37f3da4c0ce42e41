// The two variants of one step compared, and the architecture's recommendation. Its rules
// (HybridPerformanceMonitor.generate_mode_recommendation, in this order, first match wins):
//   recommend_dspy:        dspy.quality > trad.quality + 0.1  and  dspy.cost < trad.cost * 1.2
//   recommend_traditional: trad.cost < dspy.cost * 0.8  and  trad.quality > dspy.quality - 0.05
//   recommend_hybrid:      |dspy.quality - trad.quality| < 0.05
//   recommend_evaluation:  otherwise ("need more data")
// Every comparison is strict, as the seed writes it: a difference of exactly 0.1 does not
// recommend DSPy, a cost of exactly 1.2x does not either, exactly 0.05 is not "similar". Values
// that differ from a boundary only by floating-point rounding (0.7 + 0.1 is 0.7999...) count as
// on it. When both costs are 0 (local models, unknown prices) the costs compare as equal: the
// DSPy rule's cost condition holds and the traditional rule's does not (DESIGN.md section 7).
// Ours: with fewer than min_samples scored executions of either variant the recommendation is
// recommend_evaluation with the number of samples still missing.
//
//   ModeComparison c = compare_modes(summarize(trad), summarize(dspy), config.min_samples);
//   std::cout << recommendation_name(c.recommendation) << ": " << c.reason;
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/monitor/mode_stats.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

enum class Recommendation { kDspy, kTraditional, kHybrid, kEvaluation };
// The architecture's names: recommend_dspy, recommend_traditional, recommend_hybrid,
// recommend_evaluation.
std::string_view recommendation_name(Recommendation r);

// dspy_optimized minus traditional (the seed's calculate_performance_difference).
struct ModeDifference {
  double execution_time_ms = 0;   // mean latency
  double cost_usd = 0;            // cost per call
  std::optional<double> quality;  // mean quality; none unless both variants were scored
  double success_rate = 0;
  // {"execution_time_ms", "cost_usd", "quality" (null when none), "success_rate"}
  json::object to_json() const;
};

struct RecommendationResult {
  Recommendation recommendation = Recommendation::kEvaluation;
  std::string reason;
};

// The four rules above on the two variants' mean quality and cost per call.
RecommendationResult recommend_mode(double traditional_quality, double traditional_cost,
                                    double dspy_quality, double dspy_cost);

struct ModeComparison {
  ModeDifference difference;
  Recommendation recommendation = Recommendation::kEvaluation;
  std::string reason;
  // Scored executions each variant still needs before the rules apply (0: enough).
  std::int64_t traditional_needed = 0;
  std::int64_t dspy_needed = 0;
  bool need_more_data() const { return traditional_needed > 0 || dspy_needed > 0; }
};

ModeComparison compare_modes(const ModeStats& traditional, const ModeStats& dspy,
                             std::int64_t min_samples);

}  // namespace pipeline
