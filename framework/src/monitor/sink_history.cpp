#include <pipeline/monitor/sink_history.hpp>

#include <spdlog/spdlog.h>

namespace pipeline {

SinkHistory::SinkHistory(std::shared_ptr<const MetricsSinkInstance> sink, std::string name)
    : sink_(std::move(sink)), name_(std::move(name)) {}

Result<std::vector<StepRecord>> SinkHistory::query(const HistoryQuery& q) const {
  json::object doc{{"workflow", q.workflow}};
  if (!q.step.empty()) doc["step"] = q.step;
  if (!q.signature_hash.empty()) doc["signature_hash"] = q.signature_hash;
  if (!q.variant.empty()) doc["variant"] = q.variant;
  if (q.since_unix_ms > 0) doc["since_unix_ms"] = q.since_unix_ms;
  if (q.limit > 0) doc["limit"] = q.limit;
  CallResult r = sink_->query(json::serialize(doc));
  if (!r.ok()) {
    return Status(StatusCode(r.status), "history (metrics sink '" + name_ + "'): " + r.error);
  }
  auto parsed = parse_json(r.body);
  if (!parsed || !parsed->is_array()) {
    return Status(StatusCode::kDataLoss,
                  "history (metrics sink '" + name_ + "'): the query answer is not a JSON array");
  }
  std::vector<StepRecord> out;
  out.reserve(parsed->get_array().size());
  for (const auto& row : parsed->get_array()) {
    auto rec = StepRecord::from_json(row);
    if (!rec) {
      ++skipped_;
      if (!skip_logged_.exchange(true)) {
        spdlog::warn("history (metrics sink '{}'): skipped a row that is not a record: {}", name_,
                     rec.status().message());
      }
      continue;
    }
    out.push_back(std::move(*rec));
  }
  return out;
}

}  // namespace pipeline
