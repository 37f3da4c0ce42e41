#include "llm_test_support.hpp"

#include <pipeline/llm/provider_routes.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

class ProviderRoutesTest : public ::testing::Test {
 protected:
  std::unique_ptr<PluginHost> host_ = testing::llm_plugin_host();
  std::shared_ptr<ProviderRoutes> routes_ =
      testing::make_routes(*host_, {{"mock", {"mock", "{}"}}, {"fast", {"mock", "{}"}}},
                           {{"third_party_ask", "fast"}}, "mock");
};

TEST_F(ProviderRoutesTest, TheRequestsProviderWins) {
  CallFrame frame{.step_type = "third_party_ask"};
  auto r = routes_->route(json::object{{"provider", "mock"}}, frame);
  EXPECT_EQ(r.name, "mock");
  ASSERT_NE(r.provider, nullptr);
}

TEST_F(ProviderRoutesTest, ARequestWithoutProviderGoesToTheStepTypesOwnInstance) {
  CallFrame frame{.step_type = "third_party_ask"};
  auto r = routes_->route(json::object{}, frame);
  EXPECT_EQ(r.name, "fast");
  ASSERT_NE(r.provider, nullptr);
  EXPECT_EQ(r.provider->component, "mock");
}

TEST_F(ProviderRoutesTest, AnUnwiredStepTypeGetsTheDefault) {
  CallFrame frame{.step_type = "gemini"};
  EXPECT_EQ(routes_->route(json::object{}, frame).name, "mock");
  EXPECT_EQ(routes_->route(json::object{}, CallFrame{}).name, "mock");
}

TEST_F(ProviderRoutesTest, AnUnknownInstanceIsNamedButHasNoProvider) {
  auto r = routes_->route(json::object{{"provider", "nope"}}, CallFrame{});
  EXPECT_EQ(r.name, "nope");
  EXPECT_EQ(r.provider, nullptr);
}

}  // namespace
}  // namespace pipeline
