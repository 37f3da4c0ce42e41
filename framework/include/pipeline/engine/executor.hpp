// Runs a validated workflow in traditional mode: steps in order, conditions, prompts,
// interpolation, step plugins through the ABI, output_to_file, the results map. Every top-level
// step that ran (not skipped, not cancelled) is recorded into the runtime's performance monitor.
//
//   Runtime rt = ...; Executor ex(rt, {.output_dir = "out"});
//   RunResult r = ex.run(workflow);
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/run_context.hpp>
#include <pipeline/engine/run_result.hpp>
#include <pipeline/engine/step_strategy.hpp>
#include <pipeline/llm/call_record.hpp>
#include <pipeline/plugins/call_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pipeline {

class Runtime;

struct ExecutorOptions {
  std::optional<std::filesystem::path> output_dir;  // overrides workflow.defaults.output_dir
  json::object inputs;                              // inputs.* (from --set)
  json::object global_var_overrides;                // global_vars.* (from --set global_vars.x=)
  CancellationToken cancel;
  // Progress for humans (stderr); never part of the machine-readable result.
  std::function<void(const StepOutcome&)> on_step_done;
  // Continue after the last completed step of the workflow's checkpoint (checkpoint_enabled).
  // Without it a run always starts from the first step, even when a checkpoint exists.
  bool resume = false;
  // The strategy for a step instead of the traditional one (pipeline run --mode dspy_optimized
  // --program STEP=FILE); nullptr keeps the traditional strategy. The router takes this place.
  std::function<StepStrategy*(const StepConfig&)> choose_strategy;
  // The A/B episode this run belongs to (pipeline run --episode); empty: the run's own id.
  // Recorded with every step and read by the split/adaptive assignment.
  std::string episode;
  // False: this run's steps are not recorded (`pipeline evaluate` records its scored examples
  // itself, with their quality).
  bool record_steps = true;
};

// Where a run sits among nested pipelines (depth and the chain of files, for cycle checks).
struct Nesting {
  int depth = 0;
  std::vector<std::string> pipeline_stack;
  // The log of the step that runs these steps (a loop, a nested pipeline): their calls count
  // for it too. nullptr at the top level.
  CallLog* parent_calls = nullptr;
};

class Executor {
 public:
  Executor(Runtime& runtime, ExecutorOptions options);
  ~Executor();
  RunResult run(const Workflow& wf);

  // The pieces the "pipeline.executor" service builds on (loops, nested pipelines):
  // one step inside a given scope, and a whole nested workflow in its own context.
  // A step runs as prepare -> strategy -> commit (step_strategy.hpp).
  StepOutcome run_step(const Workflow& wf, const StepConfig& step, RunContext& ctx,
                       const Nesting& nesting);
  RunResult run_nested(const Workflow& wf, RunContext ctx, Nesting nesting);
  Runtime& runtime() { return runtime_; }
  const ExecutorOptions& options() const { return options_; }
  // Identifies the current run in every call frame (set by run(); nested runs share it).
  const std::string& run_id() const { return run_id_; }
  // ExecutorOptions::episode, or the run id when none was given (set by run()).
  const std::string& episode() const {
    return options_.episode.empty() ? run_id_ : options_.episode;
  }
  // Thread-safe: sub-steps of parallel loops warn from several threads.
  void warn(std::string message);

 private:
  RunResult run_steps(const Workflow& wf, RunContext& ctx, const Nesting& nesting,
                      std::size_t first_step, RunResult result);
  // Interpolates the step, renders its prompt, checks its condition: nullopt when it is skipped
  // (`out` says why), an error when it cannot run.
  Result<std::optional<PreparedStep>> prepare(const StepRun& run, StepOutcome& out);
  // Variables, the result, output_to_file (a failure to write fails the step in `out`).
  void commit(const PreparedStep& prepared, json::object doc, const StepRun& run, StepOutcome& out);
  // Hands a top-level step's outcome to the runtime's performance monitor.
  void record(const Workflow& wf, const Nesting& nesting, const StepOutcome& out);
  Runtime& runtime_;
  ExecutorOptions options_;
  std::unique_ptr<StepStrategy> traditional_;
  std::string run_id_;
  std::mutex warnings_mu_;
  std::vector<std::string> warnings_;
};

}  // namespace pipeline
