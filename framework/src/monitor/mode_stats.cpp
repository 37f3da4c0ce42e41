#include <pipeline/monitor/mode_stats.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace pipeline {

namespace {

// Nearest-rank percentile of a sorted, non-empty list.
double nearest_rank(const std::vector<double>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

double t_quantile_975(std::int64_t df) {
  static constexpr std::array<double, 30> kTable = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) df = 1;
  if (df <= 30) return kTable[static_cast<std::size_t>(df - 1)];
  // Cornish-Fisher: t = z + g1/v + g2/v^2 + g3/v^3 (Abramowitz & Stegun 26.7.5).
  const double z = 1.959963984540054;
  const double v = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  const double g1 = (z3 + z) / 4;
  const double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
  const double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
  return z + g1 / v + g2 / (v * v) + g3 / (v * v * v);
}

ModeStats summarize(std::span<const StepRecord> records) {
  ModeStats s;
  s.count = static_cast<std::int64_t>(records.size());
  if (records.empty()) return s;
  std::vector<double> latencies;
  latencies.reserve(records.size());
  std::int64_t successes = 0;
  double quality_sq = 0;
  for (const StepRecord& r : records) {
    latencies.push_back(r.latency_ms);
    s.latency_mean_ms += r.latency_ms;
    if (r.success) ++successes;
    s.total_cost += r.cost_usd;
    if (r.quality) {
      ++s.quality_n;
      s.quality_sum += *r.quality;
      quality_sq += *r.quality * *r.quality;
    }
  }
  const double n = static_cast<double>(s.count);
  s.latency_mean_ms /= n;
  std::sort(latencies.begin(), latencies.end());
  s.latency_p50_ms = nearest_rank(latencies, 0.50);
  s.latency_p95_ms = nearest_rank(latencies, 0.95);
  s.success_rate = static_cast<double>(successes) / n;
  s.cost_per_call = s.total_cost / n;
  if (s.quality_n > 0) {
    const double qn = static_cast<double>(s.quality_n);
    s.quality_mean = s.quality_sum / qn;
    s.quality_ci_low = s.quality_ci_high = s.quality_mean;
    if (s.quality_n >= 2) {
      // Sample variance; max() guards the tiny negatives cancellation can leave.
      const double var =
          std::max(0.0, (quality_sq - qn * s.quality_mean * s.quality_mean) / (qn - 1));
      const double half = t_quantile_975(s.quality_n - 1) * std::sqrt(var / qn);
      s.quality_ci_low = std::max(0.0, s.quality_mean - half);
      s.quality_ci_high = std::min(1.0, s.quality_mean + half);
    }
  }
  return s;
}

json::object ModeStats::to_json() const {
  json::object q{{"n", quality_n}};
  if (quality_n > 0) {
    q["mean"] = quality_mean;
    q["ci_low"] = quality_ci_low;
    q["ci_high"] = quality_ci_high;
  } else {
    q["mean"] = nullptr;
    q["ci_low"] = nullptr;
    q["ci_high"] = nullptr;
  }
  return {
      {"n", count},
      {"quality", std::move(q)},
      {"latency_ms",
       json::object{{"mean", latency_mean_ms}, {"p50", latency_p50_ms}, {"p95", latency_p95_ms}}},
      {"cost_usd", cost_per_call},
      {"success_rate", success_rate}};
}

}  // namespace pipeline
