#include <pipeline/hybrid/fallback_classes.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

TEST(FallbackClasses, DspyFailuresAndTimeoutFallBack) {
  for (const char* c : {"dspy_unavailable", "optimization_failed", "timeout"}) {
    EXPECT_EQ(fallback_action(c, {}), FallbackAction::kFallBack) << c;
  }
}

TEST(FallbackClasses, ProviderClassesMoveToTheNextProvider) {
  for (const char* c : {"rate_limited", "overloaded", "server_error", "network", "cooldown"}) {
    EXPECT_EQ(fallback_action(c, {}), FallbackAction::kNextProvider) << c;
    EXPECT_EQ(is_provider_class(c), std::string_view(c) != "cooldown") << c;
  }
}

TEST(FallbackClasses, OtherClassesPropagateUnlessOnNamesThem) {
  for (const char* c : {"auth", "invalid_request", "context_window", "content_filter",
                        "bad_response", "step_error", "something_new"}) {
    EXPECT_EQ(fallback_action(c, {}), FallbackAction::kPropagate) << c;
    EXPECT_EQ(fallback_action(c, {c}), FallbackAction::kFallBack) << c;
  }
  // Naming a provider class widens it: another variant may then answer too.
  EXPECT_EQ(fallback_action("rate_limited", {"rate_limited"}), FallbackAction::kFallBack);
}

TEST(FallbackClasses, CancelledAlwaysPropagates) {
  EXPECT_EQ(fallback_action("cancelled", {"cancelled"}), FallbackAction::kPropagate);
}

TEST(FallbackClasses, KnownClassesCoverTheAbiAndTheDspyLayer) {
  for (const char* c : {"rate_limited", "overloaded", "server_error", "timeout", "auth",
                        "invalid_request", "context_window", "content_filter", "network",
                        "bad_response", "cancelled", "dspy_unavailable", "optimization_failed"}) {
    EXPECT_TRUE(is_known_error_class(c)) << c;
  }
  EXPECT_FALSE(is_known_error_class("authentication"));
}

}  // namespace
}  // namespace pipeline
