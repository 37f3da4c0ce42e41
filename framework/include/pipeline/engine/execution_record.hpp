// What the monitor and the router need to know about one step's execution: how it ran (mode,
// variant), how long it took, which provider instance and model answered, and the sum of its
// LLM calls (tokens, cost, cache hits, attempts, fallback hops), or why it failed. A control-flow
// step's record includes the calls of the sub-steps it ran.
//
//   ExecutionRecord rec = ExecutionRecord::of(frame, log, duration_ms, error_class);
//   json::object o = rec.to_json();   // per step in `pipeline run --json`
#pragma once

#include <pipeline/json.hpp>
#include <pipeline/llm/call_frame.hpp>
#include <pipeline/llm/call_record.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pipeline {

// What the variant a step returned spent on its own, when the step ran more than that variant
// (a shadow A/B test, the evaluation mode, a fallback): the monitor records these for it.
struct VariantFigures {
  CallTotals calls;
  double latency_ms = 0;
  std::string provider;
  std::string model;
};

struct ExecutionRecord {
  std::string mode = "traditional";
  std::string variant;
  double latency_ms = 0;  // the step's wall time
  std::string provider;   // the instance that actually answered (empty: no call answered)
  std::string model;
  CallTotals calls;
  std::string error_class;  // empty when the step succeeded
  // dspy_optimized: where the step's program came from ("file" | "cache"); empty otherwise.
  std::string program_source;
  // The hybrid layer's additions; each appears in to_json() only when set, so the records of
  // runs without it keep their shape.
  std::string signature_hash;  // the step's signature, when it has one
  std::string program_id;      // the program a dspy_optimized variant ran
  std::optional<double> quality;
  std::string metric;  // the metric that gave `quality`
  // The router's choice: {mode, variant, reason, benefit, samples} (docs/hybrid.md).
  json::object route;
  std::vector<FallbackHop> fallbacks;
  // Not in to_json(): the step's record shows everything the step spent.
  std::optional<VariantFigures> variant_own;

  // The record of a step that ran under `frame` and made the calls in `log`.
  static ExecutionRecord of(const CallFrame& frame, const CallLog& log, double latency_ms);
  json::object to_json() const;
};

}  // namespace pipeline
