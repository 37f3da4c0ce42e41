#include <pipeline/hybrid/fallback_chain.hpp>

#include <gtest/gtest.h>

namespace pipeline {
namespace {

using Kind = FallbackEntry::Kind;

FallbackConfig full_chain(std::set<std::string> on = {}) {
  FallbackConfig c;
  c.declared = true;
  c.chain = {{Kind::kVariant, "dspy_optimized", {}},
             {Kind::kVariant, "traditional", {}},
             {Kind::kProvider, "backup", {}},
             {Kind::kProvider, "spare", {}},
             {Kind::kCachedResponse, "cached_response", {}}};
  c.on = std::move(on);
  return c;
}

TEST(FallbackChain, StartsAtTheEntryOfTheVariantThatRuns) {
  FallbackChain chain(full_chain());
  EXPECT_EQ(chain.start("dspy_optimized").index, 0);
  EXPECT_EQ(chain.start("traditional").index, 1);
  EXPECT_EQ(chain.start("traditional").variant, "traditional");
  FallbackConfig no_variants;
  no_variants.chain = {{Kind::kCachedResponse, "cached_response", {}}};
  EXPECT_EQ(FallbackChain(no_variants).start("traditional").index, -1);
}

TEST(FallbackChain, DspyUnavailableFallsBackToTraditionalThenPropagatesInTheBuiltinChain) {
  FallbackChain chain;  // [dspy_optimized, traditional]
  FallbackPosition at = chain.start("dspy_optimized");
  for (const char* c : {"dspy_unavailable", "optimization_failed", "timeout"}) {
    auto move = chain.next(at, c);
    ASSERT_TRUE(move) << c;
    EXPECT_EQ(move->entry.kind, Kind::kVariant);
    EXPECT_EQ(move->entry.name, "traditional");
    EXPECT_EQ(move->position.variant, "traditional");
    EXPECT_EQ(move->position.index, 1);
    // Traditional is the end of the built-in chain.
    EXPECT_FALSE(chain.next(move->position, c)) << c;
  }
}

TEST(FallbackChain, BuiltinChainPropagatesProviderAndOtherErrors) {
  FallbackChain chain;
  FallbackPosition at = chain.start("dspy_optimized");
  for (const char* c : {"rate_limited", "auth", "invalid_request", "context_window", "cancelled"}) {
    EXPECT_FALSE(chain.next(at, c)) << c;
  }
}

TEST(FallbackChain, ProviderErrorsSkipVariantsAndProviderEntriesToTheCachedResponse) {
  FallbackChain chain(full_chain());
  auto move = chain.next(chain.start("dspy_optimized"), "rate_limited");
  ASSERT_TRUE(move);
  EXPECT_EQ(move->entry.kind, Kind::kCachedResponse);
  EXPECT_EQ(move->position.index, 4);
  EXPECT_EQ(move->position.variant, "dspy_optimized");
  EXPECT_FALSE(chain.next(move->position, "rate_limited")) << "the chain never goes back";
}

TEST(FallbackChain, AVariantIsNotRetriedAfterItself) {
  FallbackConfig c;
  c.chain = {{Kind::kVariant, "traditional", {}}, {Kind::kVariant, "dspy_optimized", {}}};
  FallbackChain chain(c);
  // The router ran dspy_optimized, which is last: nothing comes after it.
  EXPECT_FALSE(chain.next(chain.start("dspy_optimized"), "dspy_unavailable"));
  // A step that ran traditional falls "forward" to dspy_optimized only because the chain says so.
  auto move = chain.next(chain.start("traditional"), "timeout");
  ASSERT_TRUE(move);
  EXPECT_EQ(move->entry.name, "dspy_optimized");
}

TEST(FallbackChain, OnLetsAPropagatingClassFallBack) {
  FallbackChain strict(full_chain());
  EXPECT_FALSE(strict.next(strict.start("dspy_optimized"), "auth"));
  FallbackChain lenient(full_chain({"auth"}));
  auto move = lenient.next(lenient.start("dspy_optimized"), "auth");
  ASSERT_TRUE(move);
  EXPECT_EQ(move->entry.name, "traditional");
  EXPECT_FALSE(lenient.next(lenient.start("dspy_optimized"), "invalid_request"));
}

TEST(FallbackChain, DisabledChainNeverMoves) {
  FallbackChain chain(full_chain({"auth"}), /*enabled=*/false);
  EXPECT_FALSE(chain.enabled());
  EXPECT_FALSE(chain.next(chain.start("dspy_optimized"), "dspy_unavailable"));
  EXPECT_FALSE(chain.next_provider("primary", "rate_limited", {"primary"}));
  EXPECT_FALSE(chain.has_provider_hops());
}

TEST(FallbackChain, NextProviderWalksTheProviderEntriesInOrder) {
  FallbackChain chain(full_chain());
  EXPECT_TRUE(chain.has_provider_hops());
  // The routed instance is not in the chain: the first provider entry.
  EXPECT_EQ(chain.next_provider("primary", "overloaded", {"primary"}), "backup");
  EXPECT_EQ(chain.next_provider("backup", "server_error", {"primary", "backup"}), "spare");
  EXPECT_FALSE(chain.next_provider("spare", "network", {"primary", "backup", "spare"}));
  // A step wired to `backup` itself goes on to the entry after it.
  EXPECT_EQ(chain.next_provider("backup", "rate_limited", {"backup"}), "spare");
  // Cooling down counts as a provider problem.
  EXPECT_EQ(chain.next_provider("primary", kCooldownClass, {"primary"}), "backup");
  // Timeout falls back, to a provider too.
  EXPECT_EQ(chain.next_provider("primary", "timeout", {"primary"}), "backup");
}

TEST(FallbackChain, NextProviderPropagatesWhatFailsAnywhereUnlessOnNamesIt) {
  FallbackChain strict(full_chain());
  for (const char* c : {"auth", "invalid_request", "context_window", "cancelled"}) {
    EXPECT_FALSE(strict.next_provider("primary", c, {"primary"})) << c;
  }
  FallbackChain lenient(full_chain({"auth"}));
  EXPECT_EQ(lenient.next_provider("primary", "auth", {"primary"}), "backup");
  EXPECT_FALSE(lenient.next_provider("primary", "context_window", {"primary"}));
}

TEST(FallbackChain, NoProviderEntriesMeansNoProviderHops) {
  FallbackChain chain;
  EXPECT_FALSE(chain.has_provider_hops());
  EXPECT_FALSE(chain.next_provider("primary", "rate_limited", {"primary"}));
}

}  // namespace
}  // namespace pipeline
