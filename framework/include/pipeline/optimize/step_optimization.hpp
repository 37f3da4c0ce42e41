// From a workflow step to the OptimizationSpec of its optimization: the step's signature,
// adapter, model, provider and metric; its training and validation sets; the optimizer (named,
// else `dspy_config.optimizer` of the step, then of the workflow, else the only one loaded).
// `pipeline optimize` builds its session with it, and so can the router's lazy optimization.
//
//   StepOptimizationRequest req{.data_file = "tickets.jsonl", .seed = 3};
//   auto spec = step_optimization_spec(wf, step, runtime.config(), runtime.plugins(), req);
//   if (!spec) return spec.status();   // "data: tickets.jsonl:7: ..." (see below)
//   auto session = OptimizationSession::create(*spec, runtime.completion(), runtime.cache());
#pragma once

#include <pipeline/config/host_config.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/optimize/optimization_session.hpp>
#include <pipeline/plugins/plugin_host.hpp>
#include <pipeline/status.hpp>

#include <cstdint>
#include <string>

namespace pipeline {

struct StepOptimizationRequest {
  std::string optimizer;    // empty: the default rule above
  std::string data_file;    // empty: the step's inline `examples:`
  std::string valset_file;  // empty: split the data (validation_fraction, seeded by `seed`)
  std::string metric;       // parse_metric_spec text; empty: the step's `metric:`
  json::object params;
  std::uint64_t seed = 0;
  BudgetLimits budget;
  int concurrency = 8;
  double validation_fraction = 0.2;
};

// Every error is kInvalidArgument and its message starts with the request member it is about,
// spelled as `pipeline optimize`'s flag without the dashes ("data: ", "valset: ", "metric: ",
// "optimizer: ", "step: "), so a caller can point at its own input.
Result<OptimizationSpec> step_optimization_spec(const Workflow& wf, const StepConfig& step,
                                                const HostConfig& config, const PluginHost& plugins,
                                                const StepOptimizationRequest& request);

// The optimizer of the default rule ("" with `why` set when there is none or it is not loaded).
std::string choose_optimizer(const std::string& named, const Workflow& wf, const StepConfig& step,
                             const PluginHost& plugins, std::string& why);

}  // namespace pipeline
