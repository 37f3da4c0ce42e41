#include <pipeline/engine/execution_record.hpp>

#include <algorithm>

namespace pipeline {

ExecutionRecord ExecutionRecord::of(const CallFrame& frame, const CallLog& log, double latency_ms) {
  ExecutionRecord r;
  r.mode = frame.mode;
  r.variant = frame.variant;
  r.latency_ms = latency_ms;
  r.provider = log.provider();
  r.model = log.model();
  r.calls = log.totals();
  r.fallbacks = log.hops();
  // The calls count their provider hops; the step's own hops (to another variant, to the
  // cached response) are only on the log. The record, and so the run totals, count both.
  r.calls.fallback_hops =
      std::max<int64_t>(r.calls.fallback_hops, static_cast<int64_t>(r.fallbacks.size()));
  return r;
}

json::object ExecutionRecord::to_json() const {
  json::object o{{"mode", mode},
                 {"variant", variant},
                 {"latency_ms", latency_ms},
                 {"provider", provider},
                 {"model", model},
                 {"llm_calls", calls.calls},
                 {"llm_failures", calls.failures},
                 {"input_tokens", calls.input_tokens},
                 {"output_tokens", calls.output_tokens},
                 {"cost_usd", calls.cost_usd},
                 {"cache_hits", calls.cache_hits},
                 {"attempts", calls.attempts},
                 {"fallback_hops", calls.fallback_hops},
                 {"error_class", error_class}};
  // Only a step that ran on a program has one (the records of other steps keep their shape).
  if (!program_source.empty()) o["program_source"] = program_source;
  if (!signature_hash.empty()) o["signature_hash"] = signature_hash;
  if (!program_id.empty()) o["program_id"] = program_id;
  if (quality) {
    o["quality"] = *quality;
    o["metric"] = metric;
  }
  if (!route.empty()) o["route"] = route;
  if (!fallbacks.empty()) {
    json::array hops;
    for (const auto& h : fallbacks)
      hops.push_back(json::object{
          {"from", h.from}, {"to", h.to}, {"class", h.error_class}, {"message", h.message}});
    o["fallbacks"] = std::move(hops);
  }
  return o;
}

}  // namespace pipeline
