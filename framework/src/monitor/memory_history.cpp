#include <pipeline/monitor/memory_history.hpp>

#include <algorithm>

namespace pipeline {

namespace {

bool matches(const HistoryQuery& q, const StepRecord& r) {
  return (q.workflow.empty() || r.workflow == q.workflow) && (q.step.empty() || r.step == q.step) &&
         (q.signature_hash.empty() || r.signature_hash == q.signature_hash) &&
         (q.variant.empty() || r.variant == q.variant) && r.unix_ms >= q.since_unix_ms;
}

}  // namespace

void MemoryHistory::add(StepRecord record) {
  std::lock_guard lock(mu_);
  records_.push_back(std::move(record));
  while (max_records_ > 0 && records_.size() > max_records_) records_.pop_front();
}

Result<std::vector<StepRecord>> MemoryHistory::query(const HistoryQuery& q) const {
  std::vector<StepRecord> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : records_)
      if (matches(q, r)) out.push_back(r);
  }
  // Oldest first by time, as a sink answers; arrival order among equal times.
  std::stable_sort(out.begin(), out.end(),
                   [](const StepRecord& a, const StepRecord& b) { return a.unix_ms < b.unix_ms; });
  if (q.limit > 0 && out.size() > static_cast<std::size_t>(q.limit))
    out.erase(out.begin(), out.end() - q.limit);
  return out;
}

std::size_t MemoryHistory::size() const {
  std::lock_guard lock(mu_);
  return records_.size();
}

}  // namespace pipeline
