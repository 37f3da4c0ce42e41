#include <pipeline/hybrid/step_router.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pipeline {

namespace {

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

// a > b, with values equal up to rounding counting as equal: a benefit of 0.9 - 0.7 (which is
// 0.20000000000000007) is exactly at a threshold of 0.2, and "above" is strict.
bool above(double a, double b) {
  return a - b > 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

// The A/B part of a route: the policy decides what runs this episode.
void ab_route(const RouteInput& in, const HybridConfig& c, const std::string& why, Route& r) {
  AbPolicy policy = c.ab_policy;
  std::string note;
  if (policy == AbPolicy::kShadow && !in.reference_free_metric) {
    // Shadow returns the better of two outputs by a metric with no expected output; without
    // one it cannot choose, so the episode gets one variant as split would give it.
    policy = AbPolicy::kSplit;
    note = " (shadow needs a reference-free metric: split instead)";
  }
  switch (policy) {
    case AbPolicy::kShadow:
      r.ab = AbKind::kShadow;
      r.variant = Variant::kTraditional;
      r.reason = why + ": A/B shadow, both variants run and the better by the metric is kept";
      return;
    case AbPolicy::kSplit:
      r.ab = AbKind::kSplit;
      r.variant = split_assign(in.workflow, in.step, in.episode, c.split_share);
      r.reason = why + ": A/B split" + note + ", episode assigned " +
                 std::string(variant_name(r.variant)) + " (share " + num(c.split_share) + ")";
      return;
    case AbPolicy::kAdaptive: {
      r.ab = AbKind::kAdaptive;
      AdaptiveDecision d = adaptive_decision(in.traditional, in.dspy, c.confidence, c.min_samples);
      if (d.decided) {
        r.variant = d.winner;
        r.reason = why + ": A/B adaptive test decided, " + std::string(variant_name(d.winner)) +
                   " better with probability " + num(d.probability);
      } else {
        r.variant = adaptive_assign(in.workflow, in.step, in.episode, in.traditional, in.dspy);
        r.reason = why + ": A/B adaptive, Thompson draw picked " +
                   std::string(variant_name(r.variant)) + " (" +
                   std::string(variant_name(d.winner)) + " leads with probability " +
                   num(d.probability) + ")";
      }
      r.adaptive = d;
      return;
    }
  }
}

}  // namespace

std::string_view ab_kind_name(AbKind k) {
  switch (k) {
    case AbKind::kNone:
      return "none";
    case AbKind::kShadow:
      return "shadow";
    case AbKind::kSplit:
      return "split";
    case AbKind::kAdaptive:
      return "adaptive";
  }
  return "none";
}

json::object Route::to_json() const {
  json::object o{{"mode", mode_name(mode)}, {"variant", variant_name(variant)}, {"reason", reason}};
  if (benefit)
    o["benefit"] = *benefit;
  else
    o["benefit"] = nullptr;
  o["samples"] =
      json::object{{"traditional", traditional_samples}, {"dspy_optimized", dspy_samples}};
  if (ab != AbKind::kNone) o["ab"] = ab_kind_name(ab);
  if (adaptive) o["adaptive"] = adaptive->to_json();
  return o;
}

Route StepRouter::route(const RouteInput& in) const {
  static const HybridConfig kDefaults;
  const HybridConfig& c = in.config ? *in.config : kDefaults;
  Route r;
  r.mode = in.step_forces_traditional ? ExecutionMode::kTraditional : in.run_mode;
  r.traditional_samples = in.traditional.quality_n;
  r.dspy_samples = in.dspy.quality_n;
  if (in.traditional.quality_n > 0 && in.dspy.quality_n > 0)
    r.benefit = in.dspy.quality_mean - in.traditional.quality_mean;

  if (in.step_forces_traditional) {
    r.reason = "step execution_mode: traditional";
    return r;
  }
  if (in.run_mode == ExecutionMode::kTraditional) {
    r.reason = "mode traditional";
    return r;
  }
  if (!in.program_available) {
    r.reason = "no program" +
               (in.program_missing_reason.empty() ? std::string()
                                                  : ": " + std::string(in.program_missing_reason)) +
               "; runs as written";
    return r;
  }
  if (in.run_mode == ExecutionMode::kDspyOptimized) {
    r.variant = Variant::kDspyOptimized;
    r.reason = "mode dspy_optimized";
    return r;
  }
  if (in.run_mode == ExecutionMode::kEvaluation) {
    r.reason = "mode evaluation: both variants run, the traditional result is returned";
    return r;
  }
  // Hybrid.
  if (!c.intelligent_routing) {
    if (c.ab_testing_enabled)
      ab_route(in, c, "intelligent_routing off", r);
    else
      r.reason = "hybrid with intelligent_routing and ab_testing_enabled off: runs as written";
    return r;
  }
  if (in.traditional.quality_n < c.min_samples || in.dspy.quality_n < c.min_samples) {
    ab_route(in, c,
             "exploring: " + std::to_string(in.traditional.quality_n) + " traditional and " +
                 std::to_string(in.dspy.quality_n) + " dspy_optimized scores of min_samples " +
                 std::to_string(c.min_samples),
             r);
    return r;
  }
  const double benefit = *r.benefit;  // both have >= min_samples >= 1 scores
  const double t = c.performance_threshold;
  const std::string b = "benefit " + num(benefit);
  if (above(benefit, 2 * t)) {
    r.variant = Variant::kDspyOptimized;
    r.reason = b + " > 2 x performance_threshold " + num(t);
  } else if (above(benefit, t)) {
    if (c.ab_testing_enabled) {
      ab_route(in, c, b + " > performance_threshold " + num(t), r);
    } else {
      r.variant = Variant::kDspyOptimized;
      r.reason = b + " > performance_threshold " + num(t) + ", ab_testing_enabled off";
    }
  } else {
    r.reason = b + " <= performance_threshold " + num(t);
  }
  return r;
}

}  // namespace pipeline
