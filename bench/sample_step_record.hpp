// The step record the monitor and sink benchmarks feed: the shape of a hybrid LLM step's record,
// eight steps and both variants in turn, recent (so a sink's retention passes run but delete
// nothing).
#pragma once

#include <pipeline/monitor/step_record.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace pipeline::bench {

inline StepRecord sample_step_record(int i) {
  StepRecord r;
  r.workflow = "bench";
  r.step = "step" + std::to_string(i % 8);
  r.run_id = "0123456789abcdef";
  r.episode = r.run_id;
  r.mode = "hybrid";
  r.variant = i % 2 ? "dspy_optimized" : "traditional";
  r.signature_hash = "5f3c9a1e0b7d2468";
  r.provider = "mock";
  r.model = "mock-1";
  r.latency_ms = 12.5;
  r.input_tokens = 120;
  r.output_tokens = 30;
  r.cost_usd = 0.0004;
  r.quality = 0.8;
  r.metric = "exact_match";
  static const std::int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  r.unix_ms = base + i;
  return r;
}

}  // namespace pipeline::bench
