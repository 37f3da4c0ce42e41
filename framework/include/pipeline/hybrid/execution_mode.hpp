// The four execution modes and which one a run and each of its steps get. The precedence is the
// issue's (and DESIGN.md section 7's): `--mode` > `hybrid_config.mode` >
// `dspy_config.optimization_enabled: true` (dspy_optimized) > `dspy_config.hybrid_mode: true`
// (hybrid) > traditional; a step's `execution_mode: traditional` always wins for that step.
//
//   Diagnostics d;
//   ModeChoice run = resolve_mode(cli_mode, workflow, d);   // cli_mode "" when not given
//   ExecutionMode m = step_mode(run.mode, step);           // traditional when the step says so
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/workflow.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace pipeline {

enum class ExecutionMode { kTraditional, kDspyOptimized, kHybrid, kEvaluation };

// "traditional", "dspy_optimized", "hybrid", "evaluation".
std::string_view mode_name(ExecutionMode m);
std::optional<ExecutionMode> parse_mode(std::string_view text);
// "traditional, dspy_optimized, hybrid, evaluation", for messages.
std::string_view mode_names();

struct ModeChoice {
  ExecutionMode mode = ExecutionMode::kTraditional;
  // What decided it: "--mode", "hybrid_config.mode", "dspy_config.optimization_enabled",
  // "dspy_config.hybrid_mode" or "default"; for logs and `--json`.
  std::string source = "default";
};

// The run's mode. `cli_mode` is the `--mode` value as typed ("" when not given); an unknown one
// is an error at "--mode" and the rest of the precedence decides. The sections' own problems are
// not repeated here: validate_workflow (validate_hybrid_config, validate_dspy_config) reports them.
ModeChoice resolve_mode(std::string_view cli_mode, const Workflow& wf, Diagnostics& diags);

// The mode `step` runs in when the run's is `run_mode`: `execution_mode: traditional` forces
// traditional; any other value leaves the run's mode (the architecture reads only that one).
ExecutionMode step_mode(ExecutionMode run_mode, const StepConfig& step);

}  // namespace pipeline
