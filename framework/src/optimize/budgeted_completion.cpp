#include <pipeline/optimize/budgeted_completion.hpp>

#include <pipeline/llm/completion_error.hpp>

namespace pipeline {

CallResult BudgetedCompletion::complete(std::string_view request_json, const CompletionCall& call) {
  switch (budget_.reserve()) {
    case BudgetStop::kCancelled:
      return completion_error(PL_CANCELLED, "cancelled", "the optimization was cancelled");
    case BudgetStop::kBudget:
      return completion_error(PL_RESOURCE_EXHAUSTED, "budget_exhausted",
                              "the optimization's budget is spent (LM calls, time or cost)");
    case BudgetStop::kNone:
      break;
  }
  CallRecord scratch;
  CallRecord& rec = call.record != nullptr ? *call.record : scratch;
  CallResult r = next_.complete(request_json, CompletionCall{call.ctx, call.frame, &rec});
  // A call that reached a provider counts, answered or failed; a cache hit, or a failure before
  // any provider attempt (no route, a cancel), gives its reservation back.
  const bool provider_call = !rec.cache_hit && (rec.attempts > 0 || r.ok());
  if (provider_call || rec.cost_usd > 0)
    budget_.commit(provider_call, rec.cost_usd);
  else
    budget_.release();
  std::lock_guard lock(mu_);
  totals_.add(rec);
  return r;
}

CallTotals BudgetedCompletion::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

}  // namespace pipeline
