// The query side of the performance monitor: the recorded executions the router estimates
// benefits from and `pipeline compare` summarizes. Backed by a metrics sink with a query side
// (sqlite by default), so routing improves across runs and hosts.
//
//   HistoryQuery q{.workflow = "triage", .step = "classify"};
//   Result<std::vector<StepRecord>> records = history.query(q);
#pragma once

#include <pipeline/monitor/step_record.hpp>
#include <pipeline/status.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pipeline {

// Every member has a default so designated initializers may name just a few (-Wextra).
struct HistoryQuery {
  std::string workflow{};
  std::string step{};            // empty: every step of the workflow
  std::string signature_hash{};  // empty: any
  std::string variant{};         // empty: both
  std::int64_t since_unix_ms = 0;
  std::int64_t limit = 0;  // the newest `limit` records; 0: all
};

class History {
 public:
  virtual ~History() = default;
  // Thread-safe. Oldest first.
  virtual Result<std::vector<StepRecord>> query(const HistoryQuery& q) const = 0;
};

}  // namespace pipeline
