// The records jsonl_sink_writer writes, so the tests know what each line must be: the writer's
// tag in run_id and its sequence number in unix_ms (from kFirstUnixMs).
#pragma once

#include <pipeline/monitor/step_record.hpp>

#include <cstdint>
#include <string>

namespace pipeline::testing {

inline constexpr std::int64_t kFirstUnixMs = 1764700000000;

inline StepRecord writer_record(const std::string& tag, std::int64_t seq) {
  StepRecord r;
  r.workflow = "crash";
  r.step = "step" + std::to_string(seq % 7);
  r.run_id = tag;
  r.episode = tag;
  r.mode = "hybrid";
  r.variant = seq % 2 ? "dspy_optimized" : "traditional";
  r.signature_hash = "5f3c9a1e0b7d2468";
  r.provider = "mock";
  r.model = "mock-1";
  r.latency_ms = 12.25;
  r.input_tokens = 120;
  r.output_tokens = 30;
  r.cost_usd = 0.0004;
  r.error_class = seq % 5 ? "" : "rate_limited";
  r.success = seq % 5 != 0;
  r.unix_ms = kFirstUnixMs + seq;
  return r;
}

}  // namespace pipeline::testing
