#include <pipeline/monitor/step_record_of.hpp>

#include <algorithm>
#include <chrono>

namespace pipeline {

StepRecord step_record_of(const StepOutcome& outcome, const std::string& workflow,
                          const std::string& run_id, const std::string& episode,
                          std::int64_t unix_ms) {
  const ExecutionRecord& rec = outcome.record;
  StepRecord r;
  r.workflow = workflow;
  r.step = outcome.name;
  r.run_id = run_id;
  r.episode = episode;
  r.mode = rec.mode;
  if (!rec.variant.empty()) {
    r.variant = rec.variant;
  } else {
    r.variant = rec.program_source.empty() ? "traditional" : "dspy_optimized";
  }
  r.signature_hash = rec.signature_hash;
  // A step that ran more than the variant it returned (a shadow test, the evaluation mode) is
  // recorded with that variant's own figures; the other variant has a record of its own.
  const CallTotals& calls = rec.variant_own ? rec.variant_own->calls : rec.calls;
  r.provider = rec.variant_own ? rec.variant_own->provider : rec.provider;
  r.model = rec.variant_own ? rec.variant_own->model : rec.model;
  r.latency_ms = rec.variant_own ? rec.variant_own->latency_ms : rec.latency_ms;
  r.host_overhead_ms = std::max(0.0, r.latency_ms - calls.latency_ms);
  r.input_tokens = calls.input_tokens;
  r.output_tokens = calls.output_tokens;
  r.cost_usd = calls.cost_usd;
  r.quality = rec.quality;
  r.metric = rec.metric;
  r.success = outcome.state == StepOutcome::State::kCompleted;
  r.error_class = rec.error_class;
  // Provider hops are counted on the calls and listed on the step; step-level hops (variant to
  // variant) are only listed. The larger of the two counts each hop once.
  r.fallback_hops = std::max<std::int64_t>(rec.calls.fallback_hops,
                                           static_cast<std::int64_t>(rec.fallbacks.size()));
  // Answered from the response cache alone: no provider call was made.
  r.cache_hit = calls.cache_hits > 0 && calls.calls == 0;
  r.program_id = rec.program_id;
  r.unix_ms = unix_ms;
  return r;
}

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace pipeline
