#include <pipeline/monitor/mode_comparison.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pipeline {

namespace {

// a < b, with values equal up to rounding (relative 1e-9) counting as equal, so a boundary
// written in decimals (quality 0.8 vs 0.7 + 0.1) behaves as the decimal rule says.
bool less(double a, double b) {
  const double tol = 1e-9 * std::max(std::fabs(a), std::fabs(b));
  return b - a > tol;
}

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.*f", digits, x);
  return buf;
}

std::string ratio_text(double dspy_cost, double trad_cost) {
  if (trad_cost == 0 && dspy_cost == 0) return "both free";
  if (trad_cost == 0) return "traditional free";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2fx the traditional cost", dspy_cost / trad_cost);
  return buf;
}

}  // namespace

std::string_view recommendation_name(Recommendation r) {
  switch (r) {
    case Recommendation::kDspy:
      return "recommend_dspy";
    case Recommendation::kTraditional:
      return "recommend_traditional";
    case Recommendation::kHybrid:
      return "recommend_hybrid";
    case Recommendation::kEvaluation:
      return "recommend_evaluation";
  }
  return "recommend_evaluation";
}

json::object ModeDifference::to_json() const {
  json::object o{{"execution_time_ms", execution_time_ms}, {"cost_usd", cost_usd}};
  if (quality)
    o["quality"] = *quality;
  else
    o["quality"] = nullptr;
  o["success_rate"] = success_rate;
  return o;
}

RecommendationResult recommend_mode(double tq, double tc, double dq, double dc) {
  const bool both_free = tc == 0 && dc == 0;
  const std::string figures =
      " (quality " + fixed(dq - tq, 3) + ", dspy_optimized at " + ratio_text(dc, tc) + ")";
  // dspy.quality > trad.quality + 0.1 and dspy.cost < trad.cost * 1.2
  if (less(tq + 0.1, dq) && (both_free || less(dc, tc * 1.2)))
    return {Recommendation::kDspy, "DSPy provides better quality at reasonable cost" + figures};
  // trad.cost < dspy.cost * 0.8 and trad.quality > dspy.quality - 0.05
  if (!both_free && less(tc, dc * 0.8) && less(dq - 0.05, tq))
    return {Recommendation::kTraditional, "Traditional execution is more cost-effective" + figures};
  // abs(dspy.quality - trad.quality) < 0.05
  if (less(std::fabs(dq - tq), 0.05))
    return {Recommendation::kHybrid,
            "Performance is similar, use hybrid mode for A/B testing" + figures};
  return {Recommendation::kEvaluation, "Need more data to make recommendation" + figures};
}

ModeComparison compare_modes(const ModeStats& t, const ModeStats& d, std::int64_t min_samples) {
  ModeComparison c;
  c.difference.execution_time_ms = d.latency_mean_ms - t.latency_mean_ms;
  c.difference.cost_usd = d.cost_per_call - t.cost_per_call;
  if (t.quality_n > 0 && d.quality_n > 0) c.difference.quality = d.quality_mean - t.quality_mean;
  c.difference.success_rate = d.success_rate - t.success_rate;
  const std::int64_t need = std::max<std::int64_t>(min_samples, 1);
  c.traditional_needed = std::max<std::int64_t>(0, need - t.quality_n);
  c.dspy_needed = std::max<std::int64_t>(0, need - d.quality_n);
  if (c.need_more_data()) {
    c.recommendation = Recommendation::kEvaluation;
    std::string missing;
    auto add = [&](const char* variant, std::int64_t n) {
      if (n == 0) return;
      if (!missing.empty()) missing += ", ";
      missing += std::string(variant) + " needs " + std::to_string(n) + " more";
    };
    add("traditional", c.traditional_needed);
    add("dspy_optimized", c.dspy_needed);
    c.reason = "Need more data to make recommendation: " + missing + " scored execution" +
               (c.traditional_needed + c.dspy_needed == 1 ? "" : "s") + " (min_samples " +
               std::to_string(need) + ")";
    return c;
  }
  RecommendationResult r =
      recommend_mode(t.quality_mean, t.cost_per_call, d.quality_mean, d.cost_per_call);
  c.recommendation = r.recommendation;
  c.reason = std::move(r.reason);
  return c;
}

}  // namespace pipeline
