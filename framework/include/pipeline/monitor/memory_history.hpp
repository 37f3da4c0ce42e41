// A History kept in memory: what a runtime with no history sink routes from (the records of
// its own runs), and what tests fill by hand. Bounded: past `max_records` the oldest go.
//
//   auto h = std::make_shared<MemoryHistory>();
//   h->add(record);
//   auto rows = h->query({.workflow = "triage", .step = "classify"});
#pragma once

#include <pipeline/monitor/history.hpp>

#include <cstddef>
#include <deque>
#include <mutex>

namespace pipeline {

class MemoryHistory : public History {
 public:
  explicit MemoryHistory(std::size_t max_records = 100000) : max_records_(max_records) {}
  // Thread-safe.
  void add(StepRecord record);
  Result<std::vector<StepRecord>> query(const HistoryQuery& q) const override;
  std::size_t size() const;

 private:
  std::size_t max_records_;
  mutable std::mutex mu_;
  std::deque<StepRecord> records_;  // in arrival order
};

}  // namespace pipeline
