// Which optimized program a step runs, and lazy optimization when it has none (issue: "the router
// never waits"): the newest program the optimization cache holds for the step's signature, fresh
// or stale by its `optimization_frequency`; with none, and `dspy_config.lazy_optimization` on and
// training data at hand, a background optimization bounded by `max_optimization_seconds` /
// `max_optimization_calls` starts and the step runs as written meanwhile. A stale program keeps
// serving while its replacement is optimized. The next run finds what was stored. A failed
// background optimization is remembered in the optimization cache (OptimizationFailure), so later
// runs fall back as for `optimization_failed` instead of paying for it again, until the step's
// optimization inputs change or its retry time comes.
//
//   StepPrograms programs({rt.config(), rt.plugins(), rt.completion(), rt.cache(),
//                          rt.program_service()}, wf);
//   auto c = programs.ensure(step);
//   if (c.program) run_optimized(c.program->program); else run_as_written();   // c.reason says why
//   programs.finish();   // before exit: lets the background optimizations end within their bounds
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/config/dspy_config.hpp>
#include <pipeline/config/host_config.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/llm/completion.hpp>
#include <pipeline/optimize/lazy_optimizer.hpp>
#include <pipeline/optimize/optimization_store.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pipeline {

class ProgramService;

class StepPrograms {
 public:
  // What a lazy optimization runs with: the runtime's parts (they outlive this object).
  struct Services {
    const HostConfig& config;
    PluginHost& plugins;
    Completion& completion;
    std::shared_ptr<CacheManager> cache;
    ProgramService& program_service;
  };

  struct Choice {
    LazyOptimizer::State state = LazyOptimizer::State::kFailed;
    std::optional<StoredProgram> program;  // what the step runs now (fresh or stale)
    std::string reason;                    // why there is no fresh program
    std::string optimizer;                 // the background optimization's, when one started
  };

  StepPrograms(
      Services services, const Workflow& wf,
      LazyOptimizer::Clock now = [] { return std::chrono::system_clock::now(); });
  ~StepPrograms();  // stops what still runs
  StepPrograms(const StepPrograms&) = delete;
  StepPrograms& operator=(const StepPrograms&) = delete;

  // For a step with a signature. Never waits for an optimization. Thread-safe.
  Choice ensure(const StepConfig& step);
  // True while some background optimization runs.
  bool optimizing() const;
  // Waits for the background optimizations to end (each is bounded by its own budget; a grace
  // period covers scoring the best), then stops what still runs. Returns how many were stopped.
  int finish(std::chrono::seconds grace = std::chrono::seconds(30));
  // Stops every background optimization now (Ctrl-C); an unfinished one stores nothing.
  void cancel();

 private:
  Status optimize(const StepConfig& step, const DspyConfig& dc, const std::string& optimizer,
                  std::stop_token stop);
  Services s_;
  const Workflow& wf_;
  OptimizationStore store_;
  LazyOptimizer::Clock now_;
  LazyOptimizer lazy_;
  mutable std::mutex mu_;
  // When the last background optimization started must end by its own budget.
  std::chrono::steady_clock::time_point latest_end_{};
};

}  // namespace pipeline
