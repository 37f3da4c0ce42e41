#include "llm_test_support.hpp"

#include <pipeline/cache/cache_config.hpp>
#include <pipeline/llm/completion_stack.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(CompletionStack, WithoutACacheEveryCallReachesTheProvider) {
  auto host = testing::llm_plugin_host();
  auto stack =
      make_completion_stack(testing::make_routes(*host, {{"mock", {"mock", "{}"}}}), nullptr);
  CallLog log;
  CallFrame frame{.step = "a", .log = &log};
  CallContext ctx;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(stack->top().complete(testing::kHello, CompletionCall{ctx, frame}).ok());
  }
  EXPECT_EQ(log.totals().calls, 2);
  EXPECT_EQ(log.totals().cache_hits, 0);
  EXPECT_EQ(stack->totals().calls, 2);
}

TEST(CompletionStack, WithACacheTheRepeatIsAHitInTheStepsLogAndTheLifetimeTotals) {
  auto host = testing::llm_plugin_host();
  auto config = parse_cache_config(json::parse(R"({"levels":[{"backend":"memory"}]})"));
  ASSERT_TRUE(config);
  auto cache = CacheManager::create(*host, *config);
  ASSERT_TRUE(cache) << cache.status().to_string();
  auto stack = make_completion_stack(testing::make_routes(*host, {{"mock", {"mock", "{}"}}}),
                                     std::shared_ptr<CacheManager>(std::move(*cache)));
  CallLog first_log, second_log;
  CallFrame first{.step = "a", .log = &first_log};
  CallFrame second{.step = "b", .log = &second_log};
  CallContext ctx;
  ASSERT_TRUE(stack->top().complete(testing::kHello, CompletionCall{ctx, first}).ok());
  ASSERT_TRUE(stack->top().complete(testing::kHello, CompletionCall{ctx, second}).ok());
  EXPECT_EQ(first_log.totals().calls, 1);
  EXPECT_EQ(second_log.totals().calls, 0);
  EXPECT_EQ(second_log.totals().cache_hits, 1);
  EXPECT_EQ(second_log.provider(), "mock");
  EXPECT_EQ(stack->totals().calls, 1);
  EXPECT_EQ(stack->totals().cache_hits, 1);
}

TEST(CompletionStack, AFallbackHopIsCachedUnderTheInstanceThatAnswered) {
  auto host = testing::llm_plugin_host();
  auto config = parse_cache_config(json::parse(R"({"levels":[{"backend":"memory"}]})"));
  ASSERT_TRUE(config);
  auto cache = CacheManager::create(*host, *config);
  ASSERT_TRUE(cache) << cache.status().to_string();
  FallbackConfig fb;
  fb.chain = {{FallbackEntry::Kind::kProvider, "backup", {}}};
  auto stack = make_completion_stack(
      testing::make_routes(
          *host,
          {{"primary",
            {"mock", R"({"failures": {"rate": 1, "class": "rate_limited", "status": "UNAVAILABLE",
                                      "http_status": 429, "message": "slow down"}})"}},
           {"backup", {"mock", "{}"}}},
          {}, "primary"),
      std::shared_ptr<CacheManager>(std::move(*cache)), std::make_shared<FallbackChain>(fb));
  CallLog first_log, second_log;
  CallFrame first{.step = "a", .log = &first_log};
  CallFrame second{.step = "b", .log = &second_log};
  CallContext ctx;
  CallResult r1 = stack->top().complete(testing::kHello, CompletionCall{ctx, first});
  ASSERT_TRUE(r1.ok()) << r1.error;
  EXPECT_EQ(first_log.provider(), "backup");
  EXPECT_EQ(first_log.totals().fallback_hops, 1);
  EXPECT_EQ(first_log.totals().failures, 0) << "the call was answered";
  ASSERT_EQ(first_log.hops().size(), 1u);
  EXPECT_EQ(first_log.hops()[0].error_class, "rate_limited");
  // The rerun asks primary again (its failure was not cached) and finds backup's answer cached.
  CallResult r2 = stack->top().complete(testing::kHello, CompletionCall{ctx, second});
  ASSERT_TRUE(r2.ok()) << r2.error;
  EXPECT_EQ(second_log.provider(), "backup");
  EXPECT_EQ(second_log.totals().cache_hits, 1);
  EXPECT_EQ(second_log.totals().fallback_hops, 1);
  EXPECT_EQ(stack->totals().fallback_hops, 2);
}

TEST(CompletionStack, AChainWithoutProviderEntriesLeavesCallsAsTheyWere) {
  auto host = testing::llm_plugin_host();
  auto stack = make_completion_stack(
      testing::make_routes(*host,
                           {{"primary", {"mock", R"({"failures": {"rate": 1, "class": "overloaded",
                                                   "status": "UNAVAILABLE"}})"}},
                            {"backup", {"mock", "{}"}}},
                           {}, "primary"),
      nullptr, std::make_shared<FallbackChain>());
  CallLog log;
  CallFrame frame{.step = "a", .log = &log};
  CallContext ctx;
  CallResult r = stack->top().complete(testing::kHello, CompletionCall{ctx, frame});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(log.last_error_class(), "overloaded");
  EXPECT_TRUE(log.hops().empty());
}

}  // namespace
}  // namespace pipeline
