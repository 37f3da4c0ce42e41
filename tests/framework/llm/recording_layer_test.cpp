#include "llm_test_support.hpp"

#include <pipeline/llm/provider_layer.hpp>
#include <pipeline/llm/recording_layer.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(RecordingLayer, PutsOneRecordPerCallIntoTheFramesLog) {
  auto host = testing::llm_plugin_host();
  auto routes = testing::make_routes(*host, {{"mock", {"mock", R"({"model":"mock-9"})"}}});
  RecordingLayer top(std::make_unique<ProviderLayer>(routes));
  CallLog log;
  CallFrame frame{.step = "ask", .log = &log};
  CallContext ctx;
  ASSERT_TRUE(top.complete(testing::kHello, CompletionCall{ctx, frame}).ok());
  ASSERT_TRUE(top.complete(testing::kHello, CompletionCall{ctx, frame}).ok());
  EXPECT_EQ(log.totals().calls, 2);
  EXPECT_EQ(log.provider(), "mock");
  EXPECT_EQ(log.model(), "mock-9");
}

TEST(RecordingLayer, AFrameWithoutLogStillHandsTheCallerItsRecord) {
  auto host = testing::llm_plugin_host();
  auto routes = testing::make_routes(*host, {{"mock", {"mock", "{}"}}});
  RecordingLayer top(std::make_unique<ProviderLayer>(routes));
  CallFrame frame;
  CallContext ctx;
  CallRecord rec;
  ASSERT_TRUE(top.complete(testing::kHello, CompletionCall{ctx, frame, &rec}).ok());
  EXPECT_EQ(rec.provider, "mock");
  EXPECT_EQ(rec.attempts, 1);
}

}  // namespace
}  // namespace pipeline
