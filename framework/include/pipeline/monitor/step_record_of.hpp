// The monitor's record of one executed step, from the executor's outcome: where (workflow,
// step, run, episode), how (mode, the variant that ran, provider, model, program), what it cost
// (its calls' tokens and cost, its wall time) and how it went (success, error class, fallback
// hops, quality when a metric scored it).
//
//   StepRecord r = step_record_of(outcome, wf.name, run_id, episode, now_unix_ms());
//   monitor.record(std::move(r));
#pragma once

#include <pipeline/engine/run_result.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <cstdint>
#include <string>

namespace pipeline {

// The variant is the record's own when the strategy set one; otherwise `dspy_optimized` when
// the step ran on a program, else `traditional`.
StepRecord step_record_of(const StepOutcome& outcome, const std::string& workflow,
                          const std::string& run_id, const std::string& episode,
                          std::int64_t unix_ms);
// Milliseconds since the Unix epoch (the records' clock).
std::int64_t unix_now_ms();

}  // namespace pipeline
