// Runs a validated workflow in traditional mode: steps in order, conditions, prompts,
// interpolation, step plugins through the ABI, output_to_file, the results map.
//
//   Runtime rt = ...; Executor ex(rt, {.output_dir = "out"});
//   RunResult r = ex.run(workflow);
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/run_context.hpp>
#include <pipeline/engine/run_result.hpp>
#include <pipeline/plugins/call_context.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace pipeline {

class Runtime;

struct ExecutorOptions {
  std::optional<std::filesystem::path> output_dir;  // overrides workflow.defaults.output_dir
  json::object inputs;                              // inputs.* (from --set)
  json::object global_var_overrides;                // global_vars.* (from --set global_vars.x=)
  CancellationToken cancel;
  // Progress for humans (stderr); never part of the machine-readable result.
  std::function<void(const StepOutcome&)> on_step_done;
};

class Executor {
 public:
  Executor(Runtime& runtime, ExecutorOptions options);
  RunResult run(const Workflow& wf);

 private:
  StepOutcome run_step(const Workflow& wf, const StepConfig& step, RunContext& ctx,
                       RunResult& result);
  Runtime& runtime_;
  ExecutorOptions options_;
};

}  // namespace pipeline
