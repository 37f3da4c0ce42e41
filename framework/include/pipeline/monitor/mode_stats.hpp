// Aggregates of one step's recorded executions in one variant: what `pipeline compare` shows per
// mode and what the router's benefit estimate and the recommendation are computed from.
//
//   std::vector<StepRecord> trad = ...;            // History::query with variant "traditional"
//   ModeStats s = summarize(trad);
//   s.quality_mean, s.quality_ci_low, s.latency_p95_ms, s.cost_per_call ...
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace pipeline {

struct ModeStats {
  std::int64_t count = 0;  // executions (successful or not)
  // Latency over every execution. Percentiles are nearest-rank: the smallest recorded value with
  // at least p% of the executions at or below it (so they are always a recorded value).
  double latency_mean_ms = 0;
  double latency_p50_ms = 0;
  double latency_p95_ms = 0;
  double success_rate = 0;  // successes / count; 0 when count is 0
  // Quality over the executions a metric scored (quality_n of them). The 95% confidence interval
  // of the mean uses Student's t with quality_n - 1 degrees of freedom and the sample standard
  // deviation; with fewer than two scores it is [mean, mean] (nothing to estimate a spread from),
  // and it is clipped to [0, 1], the range of a quality score.
  std::int64_t quality_n = 0;
  double quality_mean = 0;
  double quality_sum = 0;  // the adaptive A/B policy's Beta posterior is built from it
  double quality_ci_low = 0;
  double quality_ci_high = 0;
  double cost_per_call = 0;  // mean cost_usd over every execution
  double total_cost = 0;

  // {"n", "quality": {"mean", "ci_low", "ci_high", "n"} (null mean when n is 0),
  //  "latency_ms": {"mean", "p50", "p95"}, "cost_usd", "success_rate"}
  json::object to_json() const;
};

ModeStats summarize(std::span<const StepRecord> records);

// The two-sided 97.5% quantile of Student's t with `df` degrees of freedom (exact table up to 30,
// a Cornish-Fisher expansion beyond, 1.959964 in the limit); df < 1 is treated as 1.
double t_quantile_975(std::int64_t df);

}  // namespace pipeline
