#include "fake_lm.hpp"

#include <pipeline/optimize/budgeted_completion.hpp>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pipeline {
namespace {

std::string request(int i) {
  return json::serialize(json::object{
      {"messages",
       json::array{json::object{{"role", "user"}, {"content", "q" + std::to_string(i)}}}}});
}

TEST(BudgetedCompletion, RefusesTheCallBeyondTheLimitBeforeItReachesTheProvider) {
  testing::FakeLm fake;
  fake.wait_ms = 5;
  Budget budget({.max_lm_calls = 7});
  BudgetedCompletion lm(fake, budget);
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        CallContext ctx;
        CallFrame frame;
        CallResult r = lm.complete(request(t * 100 + i), CompletionCall{ctx, frame});
        if (r.ok()) {
          ++ok;
        } else {
          EXPECT_EQ(r.status, PL_RESOURCE_EXHAUSTED);
          EXPECT_NE(r.error.find("budget_exhausted"), std::string::npos) << r.error;
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fake.provider_calls.load(), 7);
  EXPECT_EQ(ok.load(), 7);
  EXPECT_EQ(refused.load(), 33);
  EXPECT_EQ(lm.totals().calls, 7);
  EXPECT_NEAR(lm.totals().cost_usd, 0.007, 1e-12);
  EXPECT_EQ(budget.lm_calls(), 7);
}

TEST(BudgetedCompletion, CacheHitsAreCountedButFree) {
  testing::FakeLm fake;
  Budget budget({.max_lm_calls = 1});
  BudgetedCompletion lm(fake, budget);
  CallContext ctx;
  CallFrame frame;
  ASSERT_TRUE(lm.complete(request(1), CompletionCall{ctx, frame}).ok());
  // Once the one call is spent no call starts, not even one the cache would answer: whether it
  // hits is known only after it was made.
  EXPECT_EQ(lm.complete(request(1), CompletionCall{ctx, frame}).status, PL_RESOURCE_EXHAUSTED);
  Budget roomy({.max_lm_calls = 2});
  BudgetedCompletion lm2(fake, roomy);
  CallRecord rec;
  ASSERT_TRUE(lm2.complete(request(1), CompletionCall{ctx, frame, &rec}).ok());
  EXPECT_TRUE(rec.cache_hit);  // the caller's record is filled too
  EXPECT_EQ(lm2.totals().cache_hits, 1);
  EXPECT_EQ(lm2.totals().calls, 0);
  EXPECT_EQ(roomy.lm_calls(), 0);
}

TEST(BudgetedCompletion, ACancelledBudgetAnswersCancelled) {
  testing::FakeLm fake;
  Budget budget;
  BudgetedCompletion lm(fake, budget);
  budget.cancel();
  CallContext ctx;
  CallFrame frame;
  CallResult r = lm.complete(request(1), CompletionCall{ctx, frame});
  EXPECT_EQ(r.status, PL_CANCELLED);
  EXPECT_EQ(fake.provider_calls.load(), 0);
}

}  // namespace
}  // namespace pipeline
