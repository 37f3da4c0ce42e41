// Runs a validated workflow in traditional mode: steps in order, conditions, prompts,
// interpolation, step plugins through the ABI, output_to_file, the results map.
//
//   Runtime rt = ...; Executor ex(rt, {.output_dir = "out"});
//   RunResult r = ex.run(workflow);
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/run_context.hpp>
#include <pipeline/engine/run_result.hpp>
#include <pipeline/llm/call_record.hpp>
#include <pipeline/plugins/call_context.hpp>

#include <filesystem>
#include <functional>
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
  RunResult run(const Workflow& wf);

  // The pieces the "pipeline.executor" service builds on (loops, nested pipelines):
  // one step inside a given scope, and a whole nested workflow in its own context.
  StepOutcome run_step(const Workflow& wf, const StepConfig& step, RunContext& ctx,
                       const Nesting& nesting);
  RunResult run_nested(const Workflow& wf, RunContext ctx, Nesting nesting);
  Runtime& runtime() { return runtime_; }
  const ExecutorOptions& options() const { return options_; }
  // Identifies the current run in every call frame (set by run(); nested runs share it).
  const std::string& run_id() const { return run_id_; }
  // Thread-safe: sub-steps of parallel loops warn from several threads.
  void warn(std::string message);

 private:
  RunResult run_steps(const Workflow& wf, RunContext& ctx, const Nesting& nesting,
                      std::size_t first_step, RunResult result);
  Runtime& runtime_;
  ExecutorOptions options_;
  std::string run_id_;
  std::mutex warnings_mu_;
  std::vector<std::string> warnings_;
};

}  // namespace pipeline
