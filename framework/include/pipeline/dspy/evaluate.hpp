// Evaluating a step over a dataset: every example runs (at most `concurrency` at a time), is
// scored by the metric, and adds to a summary (mean score with a 95% confidence interval, errors,
// LM calls, cache hits, tokens, cost, wall time). Cancelling stops taking new examples; the
// results so far are kept. The `evaluation` execution mode of later issues reuses this.
//
//   Evaluator ev(run_one, *metric);
//   EvaluationReport rep = ev.run(rows, {.concurrency = 8, .cancel = token});
//   std::cout << rep.summary_table();
#pragma once

#include <pipeline/dspy/dataset.hpp>
#include <pipeline/dspy/metric.hpp>
#include <pipeline/json.hpp>
#include <pipeline/llm/call_record.hpp>
#include <pipeline/plugins/call_context.hpp>

#include <functional>
#include <string>
#include <vector>

namespace pipeline::dspy {

// What running one example gave: the predicted outputs or an error, and its LM usage.
struct ExampleRun {
  Example predicted;
  std::string error;  // empty on success
  CallTotals totals;
};

struct ExampleResult {
  std::size_t index = 0;
  const DatasetRow* row = nullptr;
  ExampleRun run;
  double score = 0;  // 0 for an example that errored (as DSPy's Evaluate counts failures)
  std::string feedback;
  double latency_ms = 0;
  bool done = false;  // false for examples a cancel left unrun
  json::object to_json() const;
};

struct EvaluationReport {
  std::vector<ExampleResult> results;  // only the examples that ran, in dataset order
  std::size_t planned = 0;
  bool cancelled = false;
  double wall_ms = 0;
  double mean = 0;
  double ci_low = 0, ci_high = 0;  // normal approximation, clamped to [0, 1]
  std::size_t errors = 0;
  CallTotals totals;

  // {"score", "ci95": [lo, hi], "examples", "errors", "lm_calls", "cache_hits", "input_tokens",
  //  "output_tokens", "cost_usd", "wall_ms", "results": [...]}
  json::object to_json() const;
  // One line per example: index, score, latency_ms, cost_usd, cached, error, feedback, inputs,
  // expected, predicted (JSON cells).
  std::string to_csv() const;
  std::string summary_table() const;
};

struct Progress {
  std::size_t done = 0;
  std::size_t total = 0;
  double score_sum = 0;
  double elapsed_ms = 0;
};

struct EvaluateOptions {
  int concurrency = 8;
  CancellationToken cancel;
  // Called (from worker threads, serialised) after each example.
  std::function<void(const Progress&)> on_progress;
};

using RunExample = std::function<ExampleRun(const DatasetRow& row, const CallContext& ctx)>;

class Evaluator {
 public:
  Evaluator(RunExample run, const Metric& metric) : run_(std::move(run)), metric_(metric) {}
  EvaluationReport run(const std::vector<DatasetRow>& rows, const EvaluateOptions& options) const;

 private:
  RunExample run_;
  const Metric& metric_;
};

// mean and the 95% confidence interval of `scores` (mean +- 1.96 s / sqrt(n), clamped to [0, 1]).
void mean_ci95(const std::vector<double>& scores, double& mean, double& lo, double& hi);

}  // namespace pipeline::dspy
