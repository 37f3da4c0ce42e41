// The response cache layer over the real provider layer and the real memory cache backend.
#include "llm_test_support.hpp"

#include <pipeline/cache/cache_config.hpp>
#include <pipeline/cache/cache_manager.hpp>
#include <pipeline/llm/completion_error.hpp>
#include <pipeline/llm/provider_layer.hpp>
#include <pipeline/llm/response_cache_layer.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

class ResponseCacheLayerTest : public ::testing::Test {
 protected:
  std::shared_ptr<CacheManager> memory_cache() {
    auto config = parse_cache_config(json::parse(R"({"levels":[{"backend":"memory"}]})"));
    EXPECT_TRUE(config) << config.status().to_string();
    auto m = CacheManager::create(*host_, *config);
    EXPECT_TRUE(m) << m.status().to_string();
    return m ? std::shared_ptr<CacheManager>(std::move(*m)) : nullptr;
  }
  ResponseCacheLayer layer(const testing::InstanceSpecs& specs, std::string fallback = "mock") {
    auto routes = testing::make_routes(*host_, specs, {}, std::move(fallback));
    return ResponseCacheLayer(std::make_unique<ProviderLayer>(routes), routes, cache_);
  }
  CallResult ask(ResponseCacheLayer& l, CallRecord& rec, const char* req = testing::kHello) {
    return l.complete(req, CompletionCall{ctx_, frame_, &rec});
  }
  std::unique_ptr<PluginHost> host_ = testing::llm_plugin_host();
  std::shared_ptr<CacheManager> cache_ = memory_cache();
  CallContext ctx_;
  CallFrame frame_{.step = "ask"};
};

TEST_F(ResponseCacheLayerTest, AnIdenticalRequestIsAnsweredFromTheCacheAtNoCost) {
  auto l = layer({{"mock", {"mock", "{}"}}});
  CallRecord first, second;
  CallResult a = ask(l, first);
  CallResult b = ask(l, second);
  ASSERT_TRUE(a.ok() && b.ok()) << a.error << b.error;
  EXPECT_FALSE(first.cache_hit);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_TRUE(second.cache_hit);
  EXPECT_EQ(second.provider, "mock");
  EXPECT_EQ(second.attempts, 0);
  EXPECT_EQ(parse_json(b.body)->at("cached"), json::value(true));
  EXPECT_EQ(parse_json(b.body)->at("cost_usd"), json::value(0.0));
  EXPECT_EQ(parse_json(b.body)->at("text"), parse_json(a.body)->at("text"));
  EXPECT_EQ(cache_->stats().computes, 1u);
}

TEST_F(ResponseCacheLayerTest, AFrameWithTheCacheOffNeitherReadsNorFillsIt) {
  auto l = layer({{"mock", {"mock", "{}"}}});
  CallRecord warm;
  ASSERT_TRUE(ask(l, warm).ok());  // cached now
  frame_.response_cache = false;   // dspy_config.cache_enabled: false
  CallRecord off1, off2;
  ASSERT_TRUE(ask(l, off1).ok());
  ASSERT_TRUE(ask(l, off2).ok());
  EXPECT_FALSE(off1.cache_hit);
  EXPECT_FALSE(off2.cache_hit);
  EXPECT_EQ(off2.attempts, 1);
  EXPECT_EQ(cache_->stats().computes, 1u) << "only the first call filled the cache";
}

TEST_F(ResponseCacheLayerTest, InstancesWithOtherSettingsDoNotShareAnswers) {
  auto l = layer({{"mock", {"mock", "{}"}}, {"other", {"mock", R"({"model":"mock-2"})"}}});
  CallRecord a, b;
  ASSERT_TRUE(ask(l, a).ok());
  ASSERT_TRUE(
      ask(l, b, R"({"provider":"other","messages":[{"role":"user","content":"hello"}]})").ok());
  EXPECT_FALSE(b.cache_hit);
  EXPECT_EQ(b.model, "mock-2");
}

TEST_F(ResponseCacheLayerTest, ABadReplyIsNeverCached) {
  auto l = layer({{"scripted", {"scripted_reply", R"({"reply":"{\"text\":7}"})"}}}, "scripted");
  for (int i = 0; i < 2; ++i) {
    CallRecord rec;
    CallResult r = ask(l, rec);
    EXPECT_EQ(error_class_of(r.error), "bad_response");
    EXPECT_FALSE(rec.cache_hit);
  }
  EXPECT_EQ(cache_->stats().computes, 2u);
  EXPECT_EQ(cache_->stats().compute_errors, 2u);
}

}  // namespace
}  // namespace pipeline
