// Which variant one execution of a step runs, and why: the hybrid layer's HybridStepRouter. Pure
// logic over what the caller gathered (the run's mode, whether the step has a program, the
// per-variant aggregates of its history): no I/O, no clock, no locks, so routing costs
// microseconds and every branch is testable.
//
// The branches, first match wins (docs/hybrid.md, "The router"):
//   step `execution_mode: traditional`           -> traditional
//   mode traditional                             -> traditional
//   no program (dspy_optimized/hybrid/evaluation) -> traditional, with the reason it has none
//   mode dspy_optimized                          -> dspy_optimized
//   mode evaluation                              -> traditional returned, both variants run
//   hybrid, intelligent_routing false            -> A/B when ab_testing_enabled, else traditional
//   hybrid, either variant < min_samples scores  -> A/B (explore)
//   hybrid, benefit > 2 x performance_threshold  -> dspy_optimized
//   hybrid, benefit > performance_threshold      -> A/B when ab_testing_enabled, else
//   dspy_optimized hybrid, otherwise                            -> traditional
// benefit = mean quality of dspy_optimized minus traditional. An A/B test follows ab_policy:
// shadow (both run; the route's variant is traditional until the metric picks; needs a
// reference-free metric, else split), split (split_assign), adaptive (adaptive_assign until
// adaptive_decision stops the test, then its winner).
//
//   StepRouter router;
//   Route r = router.route({.run_mode = ExecutionMode::kHybrid, .program_available = true,
//                           .config = &cfg, .traditional = summarize(t), .dspy = summarize(d),
//                           .workflow = "triage", .step = "classify", .episode = run_id});
//   record.route = r.to_json();
#pragma once

#include <pipeline/hybrid/ab_assignment.hpp>
#include <pipeline/hybrid/execution_mode.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/hybrid/variant.hpp>
#include <pipeline/json.hpp>
#include <pipeline/monitor/mode_stats.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

// How an A/B test runs this execution (kNone: one variant, no test).
enum class AbKind { kNone, kShadow, kSplit, kAdaptive };
std::string_view ab_kind_name(AbKind k);  // "none", "shadow", "split", "adaptive"

struct Route {
  ExecutionMode mode = ExecutionMode::kTraditional;  // the step's mode
  Variant variant = Variant::kTraditional;           // what runs (shadow: what is returned
                                                     // unless the metric prefers the other)
  std::string reason;
  std::optional<double> benefit;         // when the history had scores of both variants
  std::int64_t traditional_samples = 0;  // scored executions the estimate saw
  std::int64_t dspy_samples = 0;
  AbKind ab = AbKind::kNone;
  std::optional<AdaptiveDecision> adaptive;  // the adaptive policy's state, when it ran

  // {"mode", "variant", "reason", "benefit" (null when none),
  //  "samples": {"traditional", "dspy_optimized"}}, plus "ab" when a test runs and "adaptive"
  // (AdaptiveDecision::to_json) under the adaptive policy.
  json::object to_json() const;
};

// Every member has a default so designated initializers may name just a few (-Wextra).
struct RouteInput {
  ExecutionMode run_mode = ExecutionMode::kTraditional;
  bool step_forces_traditional = false;       // `execution_mode: traditional` (see step_mode)
  bool program_available = false;             // a program to run (--program, cache, fresh lazy one)
  std::string_view program_missing_reason{};  // why not, for the route's reason
  bool reference_free_metric = false;         // shadow_metric() found one for the step
  const HybridConfig* config = nullptr;       // nullptr: the defaults
  ModeStats traditional{};  // summarize() of the step's traditional history (this signature)
  ModeStats dspy{};         // ... and of its dspy_optimized history
  std::string_view workflow{};
  std::string_view step{};
  std::string_view episode{};
};

class StepRouter {
 public:
  Route route(const RouteInput& in) const;
};

}  // namespace pipeline
