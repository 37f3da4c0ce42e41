// What a run produced: per-step outcomes with their execution records, the results map, the
// run's totals (the sum of its steps' records), warnings; as JSON for --json.
#pragma once

#include <pipeline/engine/execution_record.hpp>
#include <pipeline/json.hpp>

#include <string>
#include <vector>

namespace pipeline {

struct StepOutcome {
  // kCancelled: stopped by SIGINT/SIGTERM (the run's cancellation), not by a fault of its own.
  enum class State { kCompleted, kSkipped, kFailed, kCancelled };
  std::string name;
  std::string type;
  State state = State::kCompleted;
  std::string reason;  // why skipped / why failed
  double duration_ms = 0;
  std::string provider;
  std::string output_file;
  ExecutionRecord record;
};

struct RunResult {
  std::string workflow;
  bool success = true;
  bool cancelled = false;
  std::vector<StepOutcome> steps;
  json::object results;
  json::object variables;
  std::vector<std::string> warnings;
  std::string failed_step;
  std::string resumed_from;  // first step run after --resume restored a checkpoint
  std::string error;
  double duration_ms = 0;
  CompletionTotals totals;  // this run's calls only: the sum of its steps' records

  // 0 success, 1 a step failed (or the run was cancelled).
  int exit_code() const { return success ? 0 : 1; }
  json::object to_json() const;
};

std::string step_state_name(StepOutcome::State s);

}  // namespace pipeline
