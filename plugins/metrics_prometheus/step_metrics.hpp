// The sink's counters and histograms, aggregated from the step records: one set of totals per
// distinct label combination (workflow, step, mode, variant, source, outcome, provider, model),
// projected onto each metric's own labels when rendered. At most `max_series` combinations are
// kept; the records of any further one are added to the overflow combination, whose every label
// is "__overflow__", so sums stay right while the number of series stays bounded.
//
//   StepMetrics m({.max_series = 10000});
//   m.add(observation);               // the monitor's worker
//   std::string text = m.render();    // any thread (the listener's, the flush's)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pipeline::metrics_prometheus {

inline constexpr std::string_view kOverflow = "__overflow__";

// What one step record contributes. No prompt, output, run id, episode or program id: those
// would make a series per run.
struct Observation {
  std::string workflow, step, mode, variant, source, outcome, provider, model;
  double latency_seconds = 0;
  double host_overhead_seconds = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  bool cache_hit = false;
  std::int64_t fallback_hops = 0;
};

class StepMetrics {
 public:
  struct Options {
    std::size_t max_series = 10000;
    std::vector<double> latency_buckets;        // upper bounds in seconds, increasing
    std::vector<double> host_overhead_buckets;  // likewise
  };
  static std::vector<double> default_latency_buckets();
  static std::vector<double> default_host_overhead_buckets();

  explicit StepMetrics(Options options);

  // Returns the workflow label the observation was counted under (kOverflow past max_series).
  std::string add(const Observation& o);
  // The exposition of every series.
  std::string render() const;
  // Only the series of `workflow`, without the workflow label: a Pushgateway group carries it
  // in its grouping key, and a pushed metric must not repeat a grouping label.
  std::string render_workflow(std::string_view workflow) const;
  // Distinct label combinations kept (the overflow one included once used).
  std::size_t series() const;

  struct Histogram {
    std::vector<std::uint64_t> counts;  // per bucket, not cumulative; the last is +Inf
    double sum = 0;
    void observe(const std::vector<double>& bounds, double v);
    Histogram& operator+=(const Histogram& o);
  };
  struct Totals {
    std::uint64_t executions = 0;
    Histogram latency, host_overhead;
    std::uint64_t input_tokens = 0, output_tokens = 0;
    double cost_usd = 0;
    std::uint64_t cache_hits = 0;
    std::uint64_t fallback_hops = 0;
    Totals& operator+=(const Totals& o);
  };
  // workflow, step, mode, variant, source, outcome, provider, model
  using Key = std::array<std::string, 8>;

 private:
  std::string render_filtered(const std::string* workflow) const;

  Options options_;
  mutable std::mutex mu_;
  std::map<Key, Totals> totals_;
};

}  // namespace pipeline::metrics_prometheus
