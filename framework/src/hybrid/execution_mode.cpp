#include <pipeline/config/dspy_config.hpp>
#include <pipeline/hybrid/execution_mode.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>

namespace pipeline {

std::string_view mode_name(ExecutionMode m) {
  switch (m) {
    case ExecutionMode::kTraditional:
      return "traditional";
    case ExecutionMode::kDspyOptimized:
      return "dspy_optimized";
    case ExecutionMode::kHybrid:
      return "hybrid";
    case ExecutionMode::kEvaluation:
      return "evaluation";
  }
  return "traditional";
}

std::optional<ExecutionMode> parse_mode(std::string_view text) {
  if (text == "traditional") return ExecutionMode::kTraditional;
  if (text == "dspy_optimized") return ExecutionMode::kDspyOptimized;
  if (text == "hybrid") return ExecutionMode::kHybrid;
  if (text == "evaluation") return ExecutionMode::kEvaluation;
  return std::nullopt;
}

std::string_view mode_names() {
  return "traditional, dspy_optimized, hybrid, evaluation";
}

ModeChoice resolve_mode(std::string_view cli_mode, const Workflow& wf, Diagnostics& diags) {
  // The sections' own problems are validate_workflow's to report (once); a wrong value there
  // leaves that key at its default here.
  Diagnostics sections;
  const HybridConfig hc = hybrid_config_for(wf, nullptr, sections);
  const DspyConfig dc = dspy_config_for(wf, nullptr, sections);
  if (!cli_mode.empty()) {
    if (auto m = parse_mode(cli_mode)) return {*m, "--mode"};
    diags.error({"--mode", 0, 0},
                "mode '" + std::string(cli_mode) + "' is not one of " + std::string(mode_names()));
  }
  if (hc.mode) return {*hc.mode, "hybrid_config.mode"};
  if (dc.optimization_enabled)
    return {ExecutionMode::kDspyOptimized, "dspy_config.optimization_enabled"};
  if (dc.hybrid_mode) return {ExecutionMode::kHybrid, "dspy_config.hybrid_mode"};
  return {};
}

ExecutionMode step_mode(ExecutionMode run_mode, const StepConfig& step) {
  if (const auto* v = step.raw.if_contains("execution_mode");
      v != nullptr && v->is_string() && v->get_string() == "traditional")
    return ExecutionMode::kTraditional;
  return run_mode;
}

}  // namespace pipeline
