// The budget of one optimization: at most N LM calls, S seconds and $C, and a cancel flag. A
// call is *reserved* before it is made, so concurrent callers can never overshoot the call limit
// by even one: the reservation that would exceed it is refused. A call answered from the response
// cache costs nothing and gives its reservation back. Time and cost are checked at reservation
// (a call already in flight finishes; its cost may take the total past max_cost_usd, never a
// call started after that). A limit of 0 is no limit.
//
//   Budget b({.max_lm_calls = 100, .max_seconds = 60});
//   if (auto stop = b.reserve(); stop != BudgetStop::kNone) return refused(stop);
//   ... make the call ...
//   b.commit(/*provider_call=*/!cache_hit, cost_usd);   // or b.release() when it failed early
#pragma once

#include <pipeline/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace pipeline {

struct BudgetLimits {
  std::int64_t max_lm_calls = 0;  // provider calls (cache hits are free)
  double max_seconds = 0;
  double max_cost_usd = 0;
  bool unlimited() const { return max_lm_calls <= 0 && max_seconds <= 0 && max_cost_usd <= 0; }
};

enum class BudgetStop { kNone, kBudget, kCancelled };

// "budget" | "cancelled" | "" (the ABI's evaluate `stopped` words).
const char* budget_stop_name(BudgetStop s);

class Budget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Budget(BudgetLimits limits = {});

  // Reserves one LM call. kNone: go ahead (and commit or release afterwards).
  BudgetStop reserve();
  // The reserved call happened: a provider call counts (and costs), a cache hit gives it back.
  void commit(bool provider_call, double cost_usd);
  // The reserved call did not reach a provider (failed before, or not made).
  void release();

  void cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }
  // Why no new call may start now (kNone while one may).
  BudgetStop stopped() const;

  std::int64_t lm_calls() const;
  double cost_usd() const;
  double elapsed_seconds() const;
  const BudgetLimits& limits() const { return limits_; }
  // The ABI's budget() document: {"lm_calls", "max_lm_calls", "elapsed_seconds", "max_seconds",
  // "cost_usd", "max_cost_usd", "exhausted", "cancelled"}.
  json::object status_json() const;

 private:
  BudgetStop check_locked() const;
  BudgetLimits limits_;
  Clock::time_point start_;
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mu_;
  std::int64_t calls_ = 0;     // committed provider calls
  std::int64_t reserved_ = 0;  // calls in flight
  double cost_ = 0;
};

}  // namespace pipeline
