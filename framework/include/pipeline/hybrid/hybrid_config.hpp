// A workflow's `hybrid_config:` (and a step's own, which overrides it key by key), typed, with
// the defaults of the architecture pipeline_ex's hybrid layer was designed from, except that an
// explicit `false` is honoured (the sketch's `fallback_enabled || true` could never be off).
// It lives in hybrid/ rather than config/ because only the hybrid layer (mode resolution, the
// router, the A/B policies, the fallback chain) reads it; dspy_config stays in config/ since the
// optimizer and `pipeline evaluate` read it as well.
//
//   Diagnostics d;
//   HybridConfig c = hybrid_config_for(workflow, &step, d);   // step == nullptr: the workflow's
//   if (c.intelligent_routing) ...
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/hybrid/execution_mode.hpp>
#include <pipeline/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

// How an A/B test between the two variants runs (docs/hybrid.md, "A/B policies").
enum class AbPolicy {
  kShadow,   // both variants run, the better by a reference-free metric is returned
  kSplit,    // one variant per episode, by a sticky hash against split_share
  kAdaptive  // like split, the share following the evidence; stops at `confidence`
};
std::string_view ab_policy_name(AbPolicy p);
std::optional<AbPolicy> parse_ab_policy(std::string_view text);

struct HybridConfig {
  // Unset: the mode comes from dspy_config (resolve_mode's precedence), not "traditional".
  std::optional<ExecutionMode> mode;
  bool intelligent_routing = false;    // false: no benefit estimate (A/B or the mode only)
  bool ab_testing_enabled = false;     // true: a benefit in (threshold, 2 x threshold] runs A/B
  double performance_threshold = 0.1;  // quality difference in [0, 1]
  bool fallback_enabled = true;        // false: no fallback chain for this workflow's steps
  // Ours (the architecture has only the shadow form):
  AbPolicy ab_policy = AbPolicy::kShadow;
  // Scored executions of each variant the router wants before it trusts the estimate (fewer:
  // it explores by A/B); also what `pipeline compare` needs before it recommends.
  std::int64_t min_samples = 5;
  double split_share = 0.5;  // split: the share of episodes that run dspy_optimized, in [0, 1]
  double confidence = 0.95;  // adaptive: stop when P(one variant better) >= this, in (0.5, 1)
  // The reference-free metric a shadow test picks the better output by, as a metric spec
  // ("llm_judge" or {type: json_schema, ...}); null: the step's own `metric:` when that one is
  // reference-free (see shadow_metric).
  json::value metric;
};

// The effective settings of `step` (the workflow's, overridden by the step's own keys); with
// step == nullptr, the workflow's. Wrong types and values are errors naming file:line:col;
// unknown keys are warnings.
HybridConfig hybrid_config_for(const Workflow& wf, const StepConfig* step, Diagnostics& diags);

// Every problem of the workflow's hybrid_config, each step's, and each step's `execution_mode`,
// each reported once (for `pipeline validate` and the run's own validation).
void validate_hybrid_config(const Workflow& wf, Diagnostics& diags);

// Metric types that score an output without an expected one (what a shadow test can use).
bool is_reference_free_metric(std::string_view type);

// The metric spec a shadow test of `step` scores with: `c.metric` when set, else the step's
// `metric:` when it is reference-free; nullopt when there is none (the caller says why).
std::optional<json::value> shadow_metric(const HybridConfig& c, const StepConfig& step);

}  // namespace pipeline
