#include <pipeline/monitor/variant_evidence.hpp>

#include <vector>

namespace pipeline {

Result<VariantEvidence> variant_evidence(const History& history, HistoryQuery q) {
  q.variant.clear();  // one query for both variants
  auto records = history.query(q);
  if (!records) return records.status();
  std::vector<StepRecord> trad, dspy;
  for (StepRecord& r : *records) {
    if (r.variant == "traditional")
      trad.push_back(std::move(r));
    else if (r.variant == "dspy_optimized")
      dspy.push_back(std::move(r));
  }
  VariantEvidence ev;
  ev.traditional = summarize(trad);
  ev.dspy = summarize(dspy);
  ev.records = static_cast<std::int64_t>(trad.size() + dspy.size());
  return ev;
}

}  // namespace pipeline
