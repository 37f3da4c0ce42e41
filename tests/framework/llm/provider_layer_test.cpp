// The provider layer asks the routed instance and checks its reply at the boundary (issue 13
// item 5): a reply without a string "text" or with non-numeric counts is bad_response.
#include "llm_test_support.hpp"

#include <pipeline/llm/completion_error.hpp>
#include <pipeline/llm/provider_layer.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

class ProviderLayerTest : public ::testing::Test {
 protected:
  CallResult ask_scripted(const std::string& reply, CallRecord& rec) {
    json::object settings{{"reply", reply}};
    auto routes = testing::make_routes(
        *host_, {{"scripted", {"scripted_reply", json::serialize(settings)}}}, {}, "scripted");
    ProviderLayer layer(routes);
    return layer.complete(testing::kHello, CompletionCall{ctx_, frame_, &rec});
  }
  std::unique_ptr<PluginHost> host_ = testing::llm_plugin_host();
  CallContext ctx_;
  CallFrame frame_{.step = "ask", .step_type = "claude"};
};

TEST_F(ProviderLayerTest, AGoodReplyPassesAndFillsTheRecord) {
  auto routes = testing::make_routes(*host_, {{"mock", {"mock", R"({"model":"mock-7"})"}}});
  ProviderLayer layer(routes);
  CallRecord rec;
  CallResult r = layer.complete(testing::kHello, CompletionCall{ctx_, frame_, &rec});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(parse_json(r.body)->at("text"), json::value("Mock response to: hello"));
  EXPECT_EQ(rec.provider, "mock");
  EXPECT_EQ(rec.model, "mock-7");
  EXPECT_EQ(rec.input_tokens, 2);  // "hello": 5 chars, about 2 tokens
  EXPECT_GT(rec.output_tokens, 0);
  EXPECT_EQ(rec.attempts, 1);
  EXPECT_FALSE(rec.failed);
}

TEST_F(ProviderLayerTest, AReplyWithoutStringTextIsBadResponse) {
  for (const char* reply : {R"({"input_tokens":1})", R"({"text":42})", R"({"text":null})"}) {
    CallRecord rec;
    CallResult r = ask_scripted(reply, rec);
    EXPECT_EQ(r.status, PL_INTERNAL) << reply;
    EXPECT_EQ(error_class_of(r.error), "bad_response") << reply;
    EXPECT_THAT(r.error, HasSubstr("string \\\"text\\\"")) << reply;
    EXPECT_TRUE(rec.failed);
    EXPECT_EQ(rec.error_class, "bad_response");
  }
}

TEST_F(ProviderLayerTest, NonNumericTokenCountsAreBadResponse) {
  for (const char* reply :
       {R"({"text":"hi","input_tokens":"12"})", R"({"text":"hi","output_tokens":[3]})",
        R"({"text":"hi","cost_usd":"free"})"}) {
    CallRecord rec;
    CallResult r = ask_scripted(reply, rec);
    EXPECT_EQ(error_class_of(r.error), "bad_response") << reply;
    EXPECT_THAT(r.error, HasSubstr("non-numeric")) << reply;
  }
}

TEST_F(ProviderLayerTest, AReplyThatIsNotAJsonObjectIsBadResponse) {
  for (const char* reply : {"plain words", "[1,2]"}) {
    CallRecord rec;
    CallResult r = ask_scripted(reply, rec);
    EXPECT_EQ(error_class_of(r.error), "bad_response") << reply;
  }
}

TEST_F(ProviderLayerTest, AnUnknownInstanceIsInvalidRequestWithoutACall) {
  auto routes = testing::make_routes(*host_, {{"mock", {"mock", "{}"}}});
  ProviderLayer layer(routes);
  CallRecord rec;
  CallResult r =
      layer.complete(R"({"provider":"ghost","messages":[]})", CompletionCall{ctx_, frame_, &rec});
  EXPECT_EQ(r.status, PL_NOT_FOUND);
  EXPECT_EQ(error_class_of(r.error), "invalid_request");
  EXPECT_THAT(r.error, HasSubstr("ghost"));
  EXPECT_EQ(rec.attempts, 0);
}

TEST_F(ProviderLayerTest, AProviderErrorKeepsItsClass) {
  auto routes = testing::make_routes(
      *host_, {{"mock", {"mock", R"({"failures":{"rate":1.0,"class":"rate_limited",
                                     "status":"RESOURCE_EXHAUSTED"}})"}}});
  ProviderLayer layer(routes);
  CallRecord rec;
  CallResult r = layer.complete(testing::kHello, CompletionCall{ctx_, frame_, &rec});
  EXPECT_EQ(r.status, PL_RESOURCE_EXHAUSTED);
  EXPECT_EQ(rec.error_class, "rate_limited");
  EXPECT_EQ(rec.attempts, 1);
}

}  // namespace
}  // namespace pipeline
