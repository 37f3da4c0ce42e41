// A History over a metrics sink's query side (the sqlite sink by default): the router's
// estimates and `pipeline compare` read what earlier runs, on this host or another, recorded.
// A row the sink hands back that is not a valid record is skipped and counted, never fatal.
//
//   SinkHistory history(sink_instance, "history");
//   auto rows = history.query({.workflow = "triage", .step = "classify", .limit = 500});
//   history.skipped();   // rows that did not parse, over all queries
#pragma once

#include <pipeline/monitor/history.hpp>
#include <pipeline/plugins/instances.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace pipeline {

class SinkHistory : public History {
 public:
  // `sink` must have a query side (MetricsSinkInstance::has_query()).
  SinkHistory(std::shared_ptr<const MetricsSinkInstance> sink, std::string name);
  // Thread-safe (the sink's instance serializes calls unless it is concurrent).
  Result<std::vector<StepRecord>> query(const HistoryQuery& q) const override;
  std::uint64_t skipped() const { return skipped_.load(); }
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<const MetricsSinkInstance> sink_;
  std::string name_;
  mutable std::atomic<std::uint64_t> skipped_{0};
  mutable std::atomic<bool> skip_logged_{false};
};

}  // namespace pipeline
