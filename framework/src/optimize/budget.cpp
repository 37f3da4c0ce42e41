#include <pipeline/optimize/budget.hpp>

namespace pipeline {

const char* budget_stop_name(BudgetStop s) {
  switch (s) {
    case BudgetStop::kBudget:
      return "budget";
    case BudgetStop::kCancelled:
      return "cancelled";
    case BudgetStop::kNone:
      break;
  }
  return "";
}

Budget::Budget(BudgetLimits limits) : limits_(limits), start_(Clock::now()) {}

double Budget::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

BudgetStop Budget::check_locked() const {
  if (cancelled_.load()) return BudgetStop::kCancelled;
  if (limits_.max_lm_calls > 0 && calls_ + reserved_ >= limits_.max_lm_calls)
    return BudgetStop::kBudget;
  if (limits_.max_cost_usd > 0 && cost_ >= limits_.max_cost_usd) return BudgetStop::kBudget;
  if (limits_.max_seconds > 0 && elapsed_seconds() >= limits_.max_seconds)
    return BudgetStop::kBudget;
  return BudgetStop::kNone;
}

BudgetStop Budget::reserve() {
  std::lock_guard lock(mu_);
  BudgetStop s = check_locked();
  if (s == BudgetStop::kNone) ++reserved_;
  return s;
}

void Budget::commit(bool provider_call, double cost_usd) {
  std::lock_guard lock(mu_);
  if (reserved_ > 0) --reserved_;
  if (provider_call) ++calls_;
  cost_ += cost_usd;
}

void Budget::release() {
  std::lock_guard lock(mu_);
  if (reserved_ > 0) --reserved_;
}

BudgetStop Budget::stopped() const {
  std::lock_guard lock(mu_);
  // In-flight reservations do not make the budget "spent": they may still be given back.
  if (cancelled_.load()) return BudgetStop::kCancelled;
  if (limits_.max_lm_calls > 0 && calls_ >= limits_.max_lm_calls) return BudgetStop::kBudget;
  if (limits_.max_cost_usd > 0 && cost_ >= limits_.max_cost_usd) return BudgetStop::kBudget;
  if (limits_.max_seconds > 0 && elapsed_seconds() >= limits_.max_seconds)
    return BudgetStop::kBudget;
  return BudgetStop::kNone;
}

std::int64_t Budget::lm_calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

double Budget::cost_usd() const {
  std::lock_guard lock(mu_);
  return cost_;
}

json::object Budget::status_json() const {
  BudgetStop s = stopped();
  std::lock_guard lock(mu_);
  return json::object{{"lm_calls", calls_},
                      {"max_lm_calls", limits_.max_lm_calls},
                      {"elapsed_seconds", elapsed_seconds()},
                      {"max_seconds", limits_.max_seconds},
                      {"cost_usd", cost_},
                      {"max_cost_usd", limits_.max_cost_usd},
                      {"exhausted", s == BudgetStop::kBudget},
                      {"cancelled", s == BudgetStop::kCancelled}};
}

}  // namespace pipeline
