// Measures each call (wall-time latency) and keeps the totals of every call this stack served:
// provider calls, cache hits, failures, tokens, cost, attempts. These are the runtime's lifetime
// totals; a run's own totals are the sum of its steps' records (RunResult::totals).
//
//   MeteringLayer meter(std::move(next));
//   CallTotals all = meter.totals();
#pragma once

#include <pipeline/llm/completion.hpp>

#include <memory>
#include <mutex>

namespace pipeline {

class MeteringLayer : public Completion {
 public:
  explicit MeteringLayer(std::unique_ptr<Completion> next);
  CallResult complete(std::string_view request_json, const CompletionCall& call) override;
  CallTotals totals() const;

 private:
  std::unique_ptr<Completion> next_;
  mutable std::mutex mu_;
  CallTotals totals_;
};

}  // namespace pipeline
