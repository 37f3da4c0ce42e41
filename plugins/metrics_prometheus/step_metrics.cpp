#include "step_metrics.hpp"

#include <algorithm>
#include <initializer_list>

#include "exposition_text.hpp"

namespace pipeline::metrics_prometheus {

namespace {

enum Field : std::size_t {
  kWorkflow,
  kStep,
  kMode,
  kVariant,
  kSource,
  kOutcome,
  kProvider,
  kModel,
};
constexpr std::string_view kFieldNames[] = {"workflow", "step",    "mode",     "variant",
                                            "source",   "outcome", "provider", "model"};

enum class Kind {
  kExecutions,
  kLatency,
  kHostOverhead,
  kTokens,
  kCost,
  kCacheHits,
  kFallbackHops,
};

struct Family {
  std::string_view name;
  std::string_view type;
  std::string_view help;
  std::vector<Field> fields;
  Kind kind;
};

const std::vector<Family>& families() {
  static const std::vector<Family> f = {
      {"pipeline_step_executions_total",
       "counter",
       "Step executions, by outcome (success or the error class).",
       {kWorkflow, kStep, kMode, kVariant, kSource, kOutcome},
       Kind::kExecutions},
      {"pipeline_step_latency_seconds",
       "histogram",
       "Step wall time in seconds.",
       {kWorkflow, kStep, kMode, kVariant},
       Kind::kLatency},
      {"pipeline_step_host_overhead_seconds",
       "histogram",
       "Step wall time not spent waiting for the LLM provider, in seconds.",
       {kWorkflow, kStep, kMode, kVariant},
       Kind::kHostOverhead},
      {"pipeline_step_tokens_total",
       "counter",
       "LLM tokens of the steps' calls, by type (input or output).",
       {kWorkflow, kStep, kMode, kVariant, kProvider, kModel},
       Kind::kTokens},
      {"pipeline_step_cost_usd_total",
       "counter",
       "Cost of the steps' LLM calls in US dollars.",
       {kWorkflow, kStep, kMode, kVariant, kProvider, kModel},
       Kind::kCost},
      {"pipeline_step_cache_hits_total",
       "counter",
       "Step executions answered entirely from the response cache.",
       {kWorkflow, kStep, kMode, kVariant},
       Kind::kCacheHits},
      {"pipeline_step_fallback_hops_total",
       "counter",
       "Moves along the provider fallback chain.",
       {kWorkflow, kStep, kMode, kVariant},
       Kind::kFallbackHops},
  };
  return f;
}

void write_histogram(ExpositionWriter& w, const std::string& name, const Labels& labels,
                     const std::vector<double>& bounds, const StepMetrics::Histogram& h) {
  const std::string bucket = name + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += h.counts[i];
    const std::string le = format_number(bounds[i]);
    w.sample(bucket, labels, static_cast<double>(cumulative), {"le", le});
  }
  cumulative += h.counts[bounds.size()];
  w.sample(bucket, labels, static_cast<double>(cumulative), {"le", "+Inf"});
  w.sample(name + "_sum", labels, h.sum);
  w.sample(name + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace

std::vector<double> StepMetrics::default_latency_buckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
}

std::vector<double> StepMetrics::default_host_overhead_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
}

void StepMetrics::Histogram::observe(const std::vector<double>& bounds, double v) {
  if (counts.empty()) counts.assign(bounds.size() + 1, 0);
  auto it = std::lower_bound(bounds.begin(), bounds.end(), v);  // first bound >= v: le is <=
  ++counts[static_cast<std::size_t>(it - bounds.begin())];
  sum += v;
}

StepMetrics::Histogram& StepMetrics::Histogram::operator+=(const Histogram& o) {
  if (counts.size() < o.counts.size()) counts.resize(o.counts.size(), 0);
  for (std::size_t i = 0; i < o.counts.size(); ++i) counts[i] += o.counts[i];
  sum += o.sum;
  return *this;
}

StepMetrics::Totals& StepMetrics::Totals::operator+=(const Totals& o) {
  executions += o.executions;
  latency += o.latency;
  host_overhead += o.host_overhead;
  input_tokens += o.input_tokens;
  output_tokens += o.output_tokens;
  cost_usd += o.cost_usd;
  cache_hits += o.cache_hits;
  fallback_hops += o.fallback_hops;
  return *this;
}

StepMetrics::StepMetrics(Options options) : options_(std::move(options)) {
  if (options_.latency_buckets.empty()) options_.latency_buckets = default_latency_buckets();
  if (options_.host_overhead_buckets.empty())
    options_.host_overhead_buckets = default_host_overhead_buckets();
  if (options_.max_series == 0) options_.max_series = 1;
}

std::string StepMetrics::add(const Observation& o) {
  Key key = {o.workflow, o.step, o.mode, o.variant, o.source, o.outcome, o.provider, o.model};
  std::lock_guard lock(mu_);
  auto it = totals_.find(key);
  if (it == totals_.end()) {
    // The overflow combination does not count against the bound: it is the bound's safety net.
    const Key overflow = {std::string(kOverflow), std::string(kOverflow), std::string(kOverflow),
                          std::string(kOverflow), std::string(kOverflow), std::string(kOverflow),
                          std::string(kOverflow), std::string(kOverflow)};
    const std::size_t kept = totals_.size() - (totals_.count(overflow) ? 1 : 0);
    if (kept >= options_.max_series) key = overflow;
    it = totals_.try_emplace(std::move(key)).first;
  }
  Totals& t = it->second;
  ++t.executions;
  t.latency.observe(options_.latency_buckets, std::max(0.0, o.latency_seconds));
  t.host_overhead.observe(options_.host_overhead_buckets, std::max(0.0, o.host_overhead_seconds));
  t.input_tokens += static_cast<std::uint64_t>(std::max<std::int64_t>(0, o.input_tokens));
  t.output_tokens += static_cast<std::uint64_t>(std::max<std::int64_t>(0, o.output_tokens));
  t.cost_usd += std::max(0.0, o.cost_usd);  // a counter never goes down
  if (o.cache_hit) ++t.cache_hits;
  t.fallback_hops += static_cast<std::uint64_t>(std::max<std::int64_t>(0, o.fallback_hops));
  return it->first[kWorkflow];
}

std::size_t StepMetrics::series() const {
  std::lock_guard lock(mu_);
  return totals_.size();
}

std::string StepMetrics::render() const {
  return render_filtered(nullptr);
}

std::string StepMetrics::render_workflow(std::string_view workflow) const {
  const std::string w(workflow);
  return render_filtered(&w);
}

std::string StepMetrics::render_filtered(const std::string* workflow) const {
  ExpositionWriter w;
  std::lock_guard lock(mu_);
  for (const Family& f : families()) {
    // Project every kept combination onto this family's labels.
    std::map<std::vector<std::string_view>, Totals> projected;
    for (const auto& [key, totals] : totals_) {
      if (workflow != nullptr && key[kWorkflow] != *workflow) continue;
      std::vector<std::string_view> values;
      for (Field field : f.fields) {
        if (workflow != nullptr && field == kWorkflow) continue;
        values.emplace_back(key[field]);
      }
      projected[values] += totals;
    }
    if (projected.empty()) continue;
    w.family(f.name, f.type, f.help);
    const std::string name(f.name);
    for (const auto& [values, t] : projected) {
      Labels labels;
      std::size_t i = 0;
      for (Field field : f.fields) {
        if (workflow != nullptr && field == kWorkflow) continue;
        labels.emplace_back(kFieldNames[field], values[i++]);
      }
      switch (f.kind) {
        case Kind::kExecutions:
          w.sample(name, labels, static_cast<double>(t.executions));
          break;
        case Kind::kLatency:
          write_histogram(w, "pipeline_step_latency_seconds", labels, options_.latency_buckets,
                          t.latency);
          break;
        case Kind::kHostOverhead:
          write_histogram(w, "pipeline_step_host_overhead_seconds", labels,
                          options_.host_overhead_buckets, t.host_overhead);
          break;
        case Kind::kTokens:
          w.sample(name, labels, static_cast<double>(t.input_tokens), {"type", "input"});
          w.sample(name, labels, static_cast<double>(t.output_tokens), {"type", "output"});
          break;
        case Kind::kCost:
          w.sample(name, labels, t.cost_usd);
          break;
        case Kind::kCacheHits:
          w.sample(name, labels, static_cast<double>(t.cache_hits));
          break;
        case Kind::kFallbackHops:
          w.sample(name, labels, static_cast<double>(t.fallback_hops));
          break;
      }
    }
  }
  return std::move(w).text();
}

}  // namespace pipeline::metrics_prometheus
