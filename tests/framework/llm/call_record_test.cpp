#include <pipeline/llm/call_record.hpp>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace pipeline {
namespace {

CallRecord answered(std::string provider, int64_t in, int64_t out, double cost) {
  CallRecord r;
  r.provider = std::move(provider);
  r.model = "m-" + r.provider;
  r.input_tokens = in;
  r.output_tokens = out;
  r.cost_usd = cost;
  r.attempts = 1;
  return r;
}

TEST(CallTotals, CountsCacheHitsApartFromProviderCalls) {
  CallTotals t;
  t.add(answered("a", 10, 5, 0.5));
  CallRecord hit;
  hit.cache_hit = true;
  t.add(hit);
  EXPECT_EQ(t.calls, 1);
  EXPECT_EQ(t.cache_hits, 1);
  EXPECT_EQ(t.input_tokens, 10);
  EXPECT_EQ(t.output_tokens, 5);
  EXPECT_DOUBLE_EQ(t.cost_usd, 0.5);
}

TEST(CallTotals, AFailureThatReachedAProviderIsACallOneThatDidNotIsNot) {
  CallTotals t;
  CallRecord provider_failed;
  provider_failed.failed = true;
  provider_failed.attempts = 1;
  CallRecord never_sent;  // e.g. no such provider instance
  never_sent.failed = true;
  t.add(provider_failed);
  t.add(never_sent);
  EXPECT_EQ(t.calls, 1);
  EXPECT_EQ(t.failures, 2);
}

TEST(CallLog, AddsASubStepsCallsToItsParentToo) {
  CallLog loop;
  CallLog body(&loop);
  body.add(answered("fast", 3, 4, 0.25));
  loop.add(answered("slow", 1, 1, 0.0));
  EXPECT_EQ(body.totals().calls, 1);
  EXPECT_EQ(loop.totals().calls, 2);
  EXPECT_EQ(loop.totals().input_tokens, 4);
  EXPECT_EQ(body.provider(), "fast");
  EXPECT_EQ(loop.provider(), "slow");
}

TEST(CallLog, ProviderAndModelAreThoseOfTheLastAnsweredCall) {
  CallLog log;
  log.add(answered("primary", 1, 1, 0));
  CallRecord failed;
  failed.provider = "secondary";
  failed.failed = true;
  failed.error_class = "rate_limited";
  failed.attempts = 1;
  log.add(failed);
  EXPECT_EQ(log.provider(), "primary");
  EXPECT_EQ(log.model(), "m-primary");
  EXPECT_EQ(log.last_error_class(), "rate_limited");
}

TEST(CallLog, ConcurrentAddsAreAllCounted) {
  CallLog parent;
  CallLog log(&parent);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) log.add(answered("p", 1, 2, 0));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(log.totals().calls, 1000);
  EXPECT_EQ(parent.totals().output_tokens, 2000);
}

}  // namespace
}  // namespace pipeline
