// The completion layer of one optimization: every LM call the optimization makes (running a
// candidate, a judge metric, an instruction proposal) goes through it to the runtime's stack, so
// the budget is charged and the optimization's own LM calls, cache hits and cost are counted. A
// call the budget refuses never reaches the stack: PL_RESOURCE_EXHAUSTED (class
// "budget_exhausted") or PL_CANCELLED (class "cancelled").
//
//   Budget budget({.max_lm_calls = 50});
//   BudgetedCompletion lm(runtime.completion(), budget);
//   lm.complete(request, {ctx, frame});   // the 51st call is refused before it is made
//   lm.totals().calls;
#pragma once

#include <pipeline/llm/completion.hpp>
#include <pipeline/optimize/budget.hpp>

#include <mutex>

namespace pipeline {

class BudgetedCompletion : public Completion {
 public:
  // `next` and `budget` must outlive this layer.
  BudgetedCompletion(Completion& next, Budget& budget) : next_(next), budget_(budget) {}
  CallResult complete(std::string_view request_json, const CompletionCall& call) override;
  // The calls this layer let through (calls, cache hits, failures, tokens, cost).
  CallTotals totals() const;
  Budget& budget() { return budget_; }

 private:
  Completion& next_;
  Budget& budget_;
  mutable std::mutex mu_;
  CallTotals totals_;
};

}  // namespace pipeline
