// One optimization of one step: the host side of an optimizer plugin's search. The session
// builds the task the optimizer receives (the step's signature, the train and validation sets,
// the metric, params, seed and the starting candidate), serves the plugin's pipeline.program
// calls (run / score / evaluate / lm / progress / budget, see plugin.h) with the step's adapter,
// model, provider and metric, every LM call through its BudgetedCompletion, records each
// evaluate() as a scored candidate, validates what the optimizer returns and builds the program.
// Its result is stored in (and a rerun answered from) the optimization cache.
//
//   auto s = OptimizationSession::create(spec, runtime.completion(), runtime.cache());
//   (*s)->on_progress([](const OptimizationProgress& p) { ... });
//   auto outcome = (*s)->optimize(*optimizer, runtime.program_service());
//   outcome->program.save_file("program.json");
#pragma once

#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/dspy/dataset.hpp>
#include <pipeline/dspy/metric.hpp>
#include <pipeline/dspy/predict.hpp>
#include <pipeline/dspy/program.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/json.hpp>
#include <pipeline/optimize/budget.hpp>
#include <pipeline/optimize/budgeted_completion.hpp>
#include <pipeline/optimize/optimization_store.hpp>
#include <pipeline/plugins/instances.hpp>
#include <pipeline/status.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pipeline {

class ProgramService;

// What to optimize and how.
struct OptimizationSpec {
  std::string step;       // the step's name
  std::string step_type;  // routes calls that name no provider
  dspy::StepDspy dspy;    // signature, adapter, chain of thought
  dspy::PredictOptions predict;
  std::string provider;  // the provider instance serving the step
  std::string model;     // the step's model ("" = the provider's default); part of the cache key
  json::value metric = json::object{{"type", "exact_match"}};
  std::vector<dspy::DatasetRow> trainset;
  std::vector<dspy::DatasetRow> valset;
  std::string optimizer;  // the optimizer component's name
  json::object params;    // given to the optimizer as task.params
  std::uint64_t seed = 0;
  BudgetLimits budget;
  int concurrency = 8;  // evaluate()'s default
};

// One evaluate() call of the optimizer: a candidate scored on (part of) a set.
struct ScoredCandidate {
  std::size_t number = 0;  // 1-based, in the order they were scored
  std::string label;       // the optimizer's name for it
  std::string set;         // train | val
  json::object candidate;  // {"instructions", "demos"}
  double score = 0;        // mean over the examples that ran
  std::size_t examples = 0;
  bool full_set = false;  // every example of the set was asked for
  bool complete = true;   // and every one of them ran
  // {"number", "label", "set", "score", "examples", "full_set", "complete", "instructions",
  //  "demos": count}
  json::object to_json() const;
  static ScoredCandidate from_json(const json::object& o);
};

struct OptimizationProgress {
  std::string stage;  // the optimizer's (or "evaluate" after each scored candidate)
  std::string message;
  std::int64_t candidate = 0, of = 0;  // 0: unknown
  std::optional<double> best_score;
  std::int64_t lm_calls = 0;
  double cost_usd = 0;
  double elapsed_seconds = 0;
};

struct OptimizationOutcome {
  dspy::Program program;
  json::object best;  // the candidate {"instructions", "demos"}
  std::optional<double> train_score, val_score;
  std::int64_t lm_calls = 0, cache_hits = 0;
  double cost_usd = 0, wall_ms = 0;
  std::vector<ScoredCandidate> candidates;
  std::string stopped;  // "" | "budget" | "cancelled": why the search ended early
  bool from_cache = false;
  std::string cache_key;
  // The `pipeline optimize --json` document: {"program", "optimizer", "train_score",
  // "val_score", "lm_calls", "cache_hits", "cost_usd", "wall_ms", "candidates"}.
  json::object to_json(const std::string& optimizer) const;
};

class OptimizationSession {
 public:
  // Errors: an unknown metric or a signature the metric cannot score.
  static Result<std::unique_ptr<OptimizationSession>> create(
      OptimizationSpec spec, Completion& lm, std::shared_ptr<CacheManager> cache = nullptr);
  ~OptimizationSession();
  OptimizationSession(const OptimizationSession&) = delete;
  OptimizationSession& operator=(const OptimizationSession&) = delete;

  const OptimizationSpec& spec() const { return spec_; }
  // OptimizationCacheKey::make(signature hash, optimizer, {params, seed, budget, valset hash,
  // metric, adapter, chain_of_thought, provider}, trainset hash, model).
  const std::string& cache_key() const { return cache_key_; }
  // The task JSON optimize() hands the plugin (plugin.h, pl_optimizer_vtable).
  json::object task() const;
  // The starting candidate: the signature's instructions, no demos.
  json::object start_candidate() const;

  // Called from any thread (serialised) after each scored candidate and each optimizer event.
  void on_progress(std::function<void(const OptimizationProgress&)> fn);
  // Stops the search: every later LM call is refused, progress() answers cancelled.
  void cancel();
  bool cancelled() const { return budget_.cancelled(); }
  Budget& budget() { return budget_; }

  // The stored result of this very optimization (same key), when the cache has it.
  std::optional<OptimizationOutcome> cached();
  // Runs the optimizer (calls routed through `service`), validates its result, scores the best
  // on both sets (from the recorded evaluations when it was scored there already, else within
  // what is left of the budget), builds the program and stores it unless cancelled. Errors name
  // the optimizer plugin: it failed, returned non-JSON, or a result of the wrong shape. A plugin
  // that gives up on a cancel or a spent budget without a result gets its best recorded
  // candidate. Does not look at the cache: call cached() first.
  Result<OptimizationOutcome> optimize(const OptimizerInstance& optimizer, ProgramService& service);

  // The candidate a plugin result describes: {"instructions", "demos"} or a DSPy program JSON
  // bound to the step's signature. The error says what is wrong, without the plugin's name.
  Result<json::object> candidate_from_result(std::string_view body) const;
  // The one-predictor program of a candidate, in DSPy's saved shape.
  dspy::Program program_of(const json::object& candidate) const;

  // The pl_program_service_v1 calls, JSON in and out (plugin.h documents every member). A spent
  // budget is kResourceExhausted, a cancel kCancelled, a bad request kInvalidArgument.
  Result<json::object> run(const json::value& request);
  Result<json::object> score(const json::value& request);
  Result<json::object> evaluate(const json::value& request);
  Result<json::object> lm(const json::value& request);
  bool progress(const json::value& event);  // false once cancelled
  json::object budget_status() const { return budget_.status_json(); }

  std::vector<ScoredCandidate> candidates() const;
  CallTotals totals() const { return lm_.totals(); }

 private:
  OptimizationSession(OptimizationSpec spec, Completion& lm, std::shared_ptr<CacheManager> cache);
  struct Example;
  Result<Example> example_of(const json::object& request) const;
  Result<dspy::Predict> predict_of(const json::value& candidate, const json::object& request) const;
  struct ExampleOutcome;
  ExampleOutcome run_example(const dspy::Predict& p, const Example& ex, bool with_score);
  void report(OptimizationProgress p);
  std::optional<double> recorded_score(const json::object& candidate, const std::string& set) const;
  Result<double> final_score(const json::object& candidate, const std::string& set);

  OptimizationSpec spec_;
  Budget budget_;
  BudgetedCompletion lm_;
  OptimizationStore store_;
  std::unique_ptr<dspy::Metric> metric_;
  CancellationToken cancel_;
  CallContext ctx_;  // the context of every LM call: the session's cancel token
  std::string cache_key_;
  dspy::Signature run_signature_;  // the step's signature (with reasoning for chain of thought)

  mutable std::mutex mu_;
  std::vector<ScoredCandidate> candidates_;
  std::optional<double> best_score_;
  std::function<void(const OptimizationProgress&)> on_progress_;
  std::mutex progress_mu_;
};

}  // namespace pipeline
