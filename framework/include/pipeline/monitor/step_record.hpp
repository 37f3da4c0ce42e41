// What the performance monitor keeps of one step execution: where it ran (workflow, step,
// episode), how (mode, variant, provider, model, program), what it cost (latency, tokens, cost)
// and how well it did (quality, success, error class, fallback hops, cache hit). Metrics sinks
// receive it as JSON (to_json); a sink with a query side hands it back (from_json), so the router
// reads the same shape the sinks store.
//
//   StepRecord r = StepRecord::of(workflow, outcome, run_id, episode);
//   sink.record(json::serialize(r.to_json()));
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/status.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace pipeline {

struct StepRecord {
  std::string workflow;
  std::string step;
  std::string run_id;
  std::string episode;
  std::string mode;            // the run's mode: traditional | dspy_optimized | hybrid | evaluation
  std::string variant;         // what ran: traditional | dspy_optimized
  std::string signature_hash;  // the step's signature (empty: the step has none)
  std::string provider;
  std::string model;
  double latency_ms = 0;
  // The step's wall time less the time its LLM calls took (what the host itself added); 0 when
  // calls ran in parallel and overlapped more than that.
  double host_overhead_ms = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0;
  std::optional<double> quality;  // in [0, 1] when a metric scored the output
  std::string metric;             // the metric that gave `quality`
  bool success = true;
  std::string error_class;  // empty on success
  std::int64_t fallback_hops = 0;
  bool cache_hit = false;
  std::string program_id;  // the program a dspy_optimized variant ran (cache key or file)
  // Where the record comes from: run | shadow (the variant an A/B shadow test did not return) |
  // evaluation (the evaluation mode's comparison run) | evaluate (`pipeline evaluate`).
  std::string source = "run";
  std::int64_t unix_ms = 0;  // when the execution finished

  json::object to_json() const;
  // A record as a sink stored it; an error naming the member that is missing or mistyped.
  static Result<StepRecord> from_json(const json::value& v);
};

}  // namespace pipeline
