// A workflow's `dspy_config:` (and a step's own, which overrides it key by key), typed, with the
// defaults of the architecture pipeline_ex's hybrid layer was designed from, except that an
// explicit `false` is honoured (the sketch's `|| true` made `cache_enabled: false` impossible).
//
//   Diagnostics d;
//   DspyConfig c = dspy_config_for(workflow, &step, d);   // step == nullptr: the workflow's own
//   if (c.optimization_enabled) ...
//   auto max_age = c.optimization_frequency.max_age(history);
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/workflow.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pipeline {

// How old a cached program may grow before a background re-optimization replaces it.
struct OptimizationFrequency {
  enum class Kind { kDaily, kWeekly, kMonthly, kAdaptive };
  Kind kind = Kind::kWeekly;

  // adaptive: the interval starts at one day, doubles after every re-optimization that did not
  // beat the program it replaced by more than kAdaptiveGain on the validation set, and falls back
  // to one day after one that did, never beyond 30 days. `unimproved` is the number of
  // consecutive re-optimizations without such a gain.
  static constexpr double kAdaptiveGain = 0.01;
  std::chrono::seconds max_age(int unimproved = 0) const;

  static std::optional<OptimizationFrequency> parse(std::string_view text);
  std::string name() const;
};

struct DspyConfig {
  bool optimization_enabled = false;  // true: the workflow runs dspy_optimized
  bool hybrid_mode = false;           // true: the workflow runs hybrid
  // pipeline_ex's name for the optimizer a lazy optimization uses.
  std::string evaluation_mode = "bootstrap_few_shot";
  // The optimizer as written: `optimizer` (ours), else `evaluation_mode`; empty when neither is.
  std::string optimizer;
  std::string training_data_path;  // resolved against the workflow's folder; empty: inline examples
  bool cache_enabled = true;       // false: no response cache for this workflow's calls
  std::string fallback_strategy = "traditional";
  OptimizationFrequency optimization_frequency;
  // Ours (pipeline_ex has no bounds): a lazy, background optimization stops at the first of these
  // and keeps its best program; 0 is no limit on that axis.
  double max_optimization_seconds = 300;
  std::int64_t max_optimization_calls = 1000;
  bool lazy_optimization = true;  // false: a step with no program waits for `pipeline optimize`
};

// The effective settings of `step` (the workflow's, overridden by the step's own keys); with
// step == nullptr, the workflow's. Wrong types and unknown values are errors naming file:line:col;
// unknown keys are warnings.
DspyConfig dspy_config_for(const Workflow& wf, const StepConfig* step, Diagnostics& diags);

// Every problem of the workflow's dspy_config and of each step's, each reported once (for
// `pipeline validate` and the run's own validation).
void validate_dspy_config(const Workflow& wf, Diagnostics& diags);

}  // namespace pipeline
