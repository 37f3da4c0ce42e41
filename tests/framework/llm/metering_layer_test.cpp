#include "llm_test_support.hpp"

#include <pipeline/llm/metering_layer.hpp>
#include <pipeline/llm/provider_layer.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(MeteringLayer, SumsEveryCallItServedAndMeasuresItsLatency) {
  auto host = testing::llm_plugin_host();
  auto routes = testing::make_routes(*host, {{"mock", {"mock", R"({"latency_ms": 20})"}},
                                             {"broken", {"mock", R"({"failures":{"rate":1.0}})"}}});
  MeteringLayer meter(std::make_unique<ProviderLayer>(routes));
  CallContext ctx;
  CallFrame frame;
  CallRecord rec;
  ASSERT_TRUE(meter.complete(testing::kHello, CompletionCall{ctx, frame, &rec}).ok());
  EXPECT_GE(rec.latency_ms, 20.0);  // the mock waited that long
  ASSERT_TRUE(meter.complete(testing::kHello, CompletionCall{ctx, frame}).ok());
  EXPECT_FALSE(meter
                   .complete(R"({"provider":"broken","messages":[{"role":"user","content":"x"}]})",
                             CompletionCall{ctx, frame})
                   .ok());
  CallTotals t = meter.totals();
  EXPECT_EQ(t.calls, 3);
  EXPECT_EQ(t.failures, 1);
  EXPECT_EQ(t.input_tokens, 2 * rec.input_tokens);
  EXPECT_EQ(t.attempts, 3);
  EXPECT_GE(t.latency_ms, 40.0);
}

}  // namespace
}  // namespace pipeline
