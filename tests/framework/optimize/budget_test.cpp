#include <pipeline/optimize/budget.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pipeline {
namespace {

TEST(Budget, ConcurrentReservationsNeverExceedTheCallLimitByOne) {
  Budget b({.max_lm_calls = 25});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (b.reserve() != BudgetStop::kNone) continue;
        ++granted;
        std::this_thread::yield();  // keep the reservation open while others try
        b.commit(true, 0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 25);
  EXPECT_EQ(b.lm_calls(), 25);
  EXPECT_EQ(b.stopped(), BudgetStop::kBudget);
}

TEST(Budget, ACacheHitGivesItsReservationBack) {
  Budget b({.max_lm_calls = 1});
  ASSERT_EQ(b.reserve(), BudgetStop::kNone);
  EXPECT_EQ(b.reserve(), BudgetStop::kBudget);  // the one call is in flight
  b.commit(/*provider_call=*/false, 0);
  ASSERT_EQ(b.reserve(), BudgetStop::kNone);
  b.release();
  ASSERT_EQ(b.reserve(), BudgetStop::kNone);
  b.commit(true, 0);
  EXPECT_EQ(b.reserve(), BudgetStop::kBudget);
  EXPECT_EQ(b.lm_calls(), 1);
}

TEST(Budget, CostAndTimeLimitsStopNewCalls) {
  Budget cost({.max_cost_usd = 0.01});
  ASSERT_EQ(cost.reserve(), BudgetStop::kNone);
  cost.commit(true, 0.004);
  ASSERT_EQ(cost.reserve(), BudgetStop::kNone);
  cost.commit(true, 0.007);                        // a call in flight may pass the limit...
  EXPECT_EQ(cost.reserve(), BudgetStop::kBudget);  // ...no call after it starts
  Budget timed({.max_seconds = 0.02});
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(timed.reserve(), BudgetStop::kBudget);
}

TEST(Budget, CancelWinsOverAnUnspentBudgetAndShowsInTheStatus) {
  Budget b;
  EXPECT_TRUE(b.limits().unlimited());
  EXPECT_EQ(b.reserve(), BudgetStop::kNone);
  b.commit(true, 0.5);
  b.cancel();
  EXPECT_EQ(b.reserve(), BudgetStop::kCancelled);
  json::object s = b.status_json();
  EXPECT_EQ(s.at("lm_calls"), 1);
  EXPECT_EQ(s.at("cost_usd"), 0.5);
  EXPECT_EQ(s.at("max_lm_calls"), 0);
  EXPECT_EQ(s.at("cancelled"), true);
  EXPECT_EQ(s.at("exhausted"), false);
  EXPECT_STREQ(budget_stop_name(BudgetStop::kCancelled), "cancelled");
  EXPECT_STREQ(budget_stop_name(BudgetStop::kBudget), "budget");
}

}  // namespace
}  // namespace pipeline
