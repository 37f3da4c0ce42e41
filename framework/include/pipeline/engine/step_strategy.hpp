// How a prepared step runs. The executor cuts a step into prepare (interpolate, render the
// prompt, check the condition) -> strategy -> commit (results, variables, output_to_file,
// checkpoint); the strategy is the part the router will choose (traditional today; DSPy and
// hybrid strategies next).
//
//   TraditionalStrategy traditional;
//   Result<json::object> doc = traditional.run(prepared, step_run);   // {"output": ...}
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/execution_record.hpp>
#include <pipeline/engine/run_context.hpp>
#include <pipeline/json.hpp>
#include <pipeline/llm/call_frame.hpp>
#include <pipeline/llm/call_record.hpp>
#include <pipeline/status.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline {

class Executor;

// What a strategy found out while running a step that the step's execution record carries
// (the variant that ran and why, the program, the quality when a metric scored the output).
// Empty members leave the record as the frame and the calls made it.
struct StepNotes {
  std::string variant;
  std::string signature_hash;
  std::string program_id;
  std::string program_source;
  std::optional<double> quality;
  std::string metric;
  json::object route;
  // The returned variant's own figures when the step ran more than it (a shadow A/B test, the
  // evaluation mode, a fallback): the monitor records these for it, the step's record keeps
  // the sum of everything the step spent.
  std::optional<VariantFigures> own;
  // Why the step failed when no call's class says it (dspy_unavailable, optimization_failed).
  std::string error_class;
};

// One step as it runs: where it is and what its calls are attributed to.
struct StepRun {
  Executor& executor;
  const Workflow& workflow;
  const StepConfig& step;
  RunContext& ctx;
  int depth = 0;
  const std::vector<std::string>& pipeline_stack;
  const CallFrame& frame;
  CallLog& calls;
  // Where the strategy leaves its notes for the record (nullptr: nobody reads them).
  StepNotes* notes = nullptr;
};

// What prepare made of a step whose condition holds: the step plugin's input document
// (docs/abi.md) and where its output goes.
struct PreparedStep {
  json::object input;
  std::filesystem::path output_dir;
  std::string output_file;  // rendered output_to_file; empty when none
};

class StepStrategy {
 public:
  virtual ~StepStrategy() = default;
  // The mode its calls are recorded under ("traditional", "dspy_optimized", ...).
  virtual std::string_view mode() const = 0;
  // The step's output document ({"output": ..., "set_variables": {...}}), or why it failed.
  virtual Result<json::object> run(const PreparedStep& step, const StepRun& run) = 0;
  // Where the program a step runs on came from ("file" | "cache"); empty for a strategy that
  // runs no program. Recorded in the step's execution record.
  virtual std::string program_source(const StepConfig&) const { return {}; }
};

}  // namespace pipeline
