// The hybrid executor's step strategy (the architecture's HybridExecutor): for every step of a
// run in dspy_optimized, hybrid or evaluation mode it asks the StepRouter which variant runs
// (from the step's recorded history), runs it (or both: a shadow A/B test, the evaluation mode),
// scores the output with the step's reference-free metric when it has one, falls back along the
// chain when a variant fails, and leaves the route, the variant and the quality in the step's
// notes for its execution record. The variant a shadow test or the evaluation mode did not return
// is handed to `record_extra` (the performance monitor) as a record of its own.
//
//   HybridStrategy hybrid({.runtime = rt, .run_mode = ExecutionMode::kHybrid, ...});
//   exec.choose_strategy = [&](const StepConfig&) { return &hybrid; };
#pragma once

#include <pipeline/config/workflow.hpp>
#include <pipeline/dspy/metric.hpp>
#include <pipeline/dspy/program_steps.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/engine/step_strategy.hpp>
#include <pipeline/engine/traditional_strategy.hpp>
#include <pipeline/hybrid/execution_mode.hpp>
#include <pipeline/hybrid/fallback_chain.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>
#include <pipeline/hybrid/step_router.hpp>
#include <pipeline/monitor/history.hpp>
#include <pipeline/monitor/mode_stats.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pipeline {

class Runtime;
class StepResultCache;

// Why a step with a signature has no program to run: dspy_unavailable (no optimizer, lazy
// optimization off or still running) or optimization_failed, with the reason.
struct ProgramGap {
  std::string error_class = "dspy_unavailable";
  std::string reason;
};

class HybridStrategy : public StepStrategy {
 public:
  struct Parts {
    Runtime& runtime;
    ExecutionMode run_mode;
    dspy::ProgramSteps& programs;            // the steps bound to a program (--program, the cache)
    std::map<std::string, ProgramGap> gaps;  // step name -> why it has none
    const History* history = nullptr;        // nullptr: no history, every estimate starts empty
    const FallbackChain* chain = nullptr;    // the host config's; nullptr: the built-in chain
    std::shared_ptr<StepResultCache> cached_responses;  // nullptr: no cached_response entry
    std::string workflow;                               // the name history records carry
    std::string episode;                           // empty: the run id (a fresh episode per run)
    std::function<void(StepRecord)> record_extra;  // may be empty
  };

  explicit HybridStrategy(Parts parts);
  ~HybridStrategy() override;

  std::string_view mode() const override { return mode_name(p_.run_mode); }
  Result<json::object> run(const PreparedStep& prepared, const StepRun& run) override;

  // The evaluation mode's executions of each step, per variant (for the comparison printed at
  // the end of the run). Thread-safe.
  std::map<std::string, std::pair<std::vector<StepRecord>, std::vector<StepRecord>>>
  evaluation_records() const;

 private:
  struct StepState;
  struct Attempt;
  StepState& state(const Workflow& wf, const StepConfig& step);
  Attempt attempt(Variant v, const PreparedStep& prepared, const StepRun& run, StepState& st);
  Attempt with_fallback(Variant v, const PreparedStep& prepared, const StepRun& run, StepState& st,
                        bool fallback_enabled);
  void score(Attempt& a, const StepRun& run, StepState& st);
  void learn(StepState& st, const Attempt& a);
  StepRecord record_of(const Attempt& a, const StepRun& run, const StepState& st,
                       const std::string& source) const;

  Parts p_;
  TraditionalStrategy traditional_;
  FallbackChain builtin_chain_;   // when Parts::chain is nullptr
  FallbackChain disabled_chain_;  // fallback_enabled: false
  StepRouter router_;
  mutable std::mutex mu_;
  std::map<const StepConfig*, std::unique_ptr<StepState>> states_;
  std::map<std::string, std::pair<std::vector<StepRecord>, std::vector<StepRecord>>> evaluation_;
};

}  // namespace pipeline
