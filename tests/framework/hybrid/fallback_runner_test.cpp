#include <pipeline/hybrid/fallback_runner.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace pipeline {
namespace {

using ::testing::ElementsAre;
using Kind = FallbackEntry::Kind;

FallbackConfig chain_of(std::vector<FallbackEntry> entries, std::set<std::string> on = {}) {
  FallbackConfig c;
  c.declared = true;
  c.chain = std::move(entries);
  c.on = std::move(on);
  return c;
}

const FallbackEntry kDspy{Kind::kVariant, "dspy_optimized", {}};
const FallbackEntry kTraditional{Kind::kVariant, "traditional", {}};
const FallbackEntry kBackup{Kind::kProvider, "backup", {}};
const FallbackEntry kCached{Kind::kCachedResponse, "cached_response", {}};

const json::object kInput = json::parse(R"({"prompt":"p"})").as_object();

// Each variant answers with its scripted class ("" succeeds with {"output": variant}).
struct Variants {
  std::map<std::string, std::string> fail;
  std::vector<std::string> ran;
  FallbackRunner::RunVariant fn() {
    return [this](const std::string& v) -> VariantRun {
      ran.push_back(v);
      auto it = fail.find(v);
      if (it != fail.end()) return {Status(StatusCode::kUnavailable, v + " failed"), it->second};
      return {json::object{{"output", v}}, {}};
    };
  }
};

std::vector<std::string> hop_strings(const CallLog& log) {
  std::vector<std::string> out;
  for (const auto& h : log.hops()) out.push_back(h.from + ">" + h.to + ":" + h.error_class);
  return out;
}

std::shared_ptr<CacheManager> memory_cache(PluginHost& host) {
  Status st =
      host.load_file(std::filesystem::path(PIPELINE_PLUGIN_DIR) / "libpipeline_cache_memory.so");
  EXPECT_TRUE(st.ok()) << st.to_string();
  auto cfg = parse_cache_config(json::parse(R"({"levels":[{"backend":"memory"}]})"));
  auto cache = CacheManager::create(host, *cfg);
  EXPECT_TRUE(cache) << cache.status().to_string();
  return std::shared_ptr<CacheManager>(std::move(*cache));
}

TEST(FallbackRunner, DspyUnavailableAndOptimizationFailedRunTheStepAsWritten) {
  for (const char* cls : {"dspy_unavailable", "optimization_failed", "timeout"}) {
    FallbackChain chain;  // the built-in [dspy_optimized, traditional]
    Variants v{{{"dspy_optimized", cls}}, {}};
    CallLog log;
    FallbackOutcome out =
        FallbackRunner(chain, nullptr).run("dspy_optimized", {"w", "s", &kInput}, log, v.fn());
    ASSERT_TRUE(out.doc) << cls;
    EXPECT_EQ(serialize(json::value(*out.doc)), R"({"output":"traditional"})");
    EXPECT_EQ(out.variant, "traditional");
    EXPECT_THAT(v.ran, ElementsAre("dspy_optimized", "traditional"));
    EXPECT_THAT(hop_strings(log), ElementsAre("dspy_optimized>traditional:" + std::string(cls)));
    EXPECT_EQ(log.hops()[0].message, "dspy_optimized failed");
  }
}

TEST(FallbackRunner, OtherErrorsPropagateWithTheirClass) {
  FallbackChain chain;
  Variants v{{{"dspy_optimized", "invalid_request"}}, {}};
  CallLog log;
  FallbackOutcome out =
      FallbackRunner(chain, nullptr).run("dspy_optimized", {"w", "s", &kInput}, log, v.fn());
  EXPECT_FALSE(out.doc);
  EXPECT_EQ(out.error_class, "invalid_request");
  EXPECT_THAT(v.ran, ElementsAre("dspy_optimized"));
  EXPECT_TRUE(log.hops().empty());
}

TEST(FallbackRunner, AFailureWithoutAClassIsAStepError) {
  FallbackChain chain(chain_of({kTraditional, kDspy}, {"step_error"}));
  // A step that failed without any LLM call has no class of its own.
  CallLog log;
  FallbackOutcome out =
      FallbackRunner(chain, nullptr)
          .run("traditional", {"w", "s", &kInput}, log, [](const std::string& var) -> VariantRun {
            if (var == "traditional") return {Status(StatusCode::kInternal, "boom")};
            return {json::object{{"output", var}}};
          });
  ASSERT_TRUE(out.doc);
  EXPECT_THAT(hop_strings(log), ElementsAre("traditional>dspy_optimized:step_error"));
}

TEST(FallbackRunner, ADisabledChainRunsOnlyTheFirstVariant) {
  FallbackChain chain(FallbackConfig::builtin(), /*enabled=*/false);
  Variants v{{{"dspy_optimized", "dspy_unavailable"}}, {}};
  CallLog log;
  FallbackOutcome out =
      FallbackRunner(chain, nullptr).run("dspy_optimized", {"w", "s", &kInput}, log, v.fn());
  EXPECT_FALSE(out.doc);
  EXPECT_THAT(v.ran, ElementsAre("dspy_optimized"));
}

TEST(FallbackRunner, CachedResponseAnswersWithTheLastSuccessForTheSameInputs) {
  PluginHost host;
  StepResultCache results(memory_cache(host));
  FallbackChain chain(chain_of({kTraditional, kBackup, kCached}));
  FallbackRunner runner(chain, &results);
  CallLog first_log;
  Variants ok;
  ASSERT_TRUE(runner.run("traditional", {"w", "s", &kInput}, first_log, ok.fn()).doc);
  // The provider is down now (the FallbackLayer already tried backup for the call).
  Variants down{{{"traditional", "rate_limited"}}, {}};
  CallLog log;
  FallbackOutcome out = runner.run("traditional", {"w", "s", &kInput}, log, down.fn());
  ASSERT_TRUE(out.doc);
  EXPECT_TRUE(out.from_cache);
  EXPECT_EQ(serialize(json::value(*out.doc)), R"({"output":"traditional"})");
  EXPECT_THAT(hop_strings(log), ElementsAre("traditional>cached_response:rate_limited"));
  // Other inputs have nothing cached: the error propagates.
  const json::object other = json::parse(R"({"prompt":"q"})").as_object();
  CallLog other_log;
  FallbackOutcome miss = runner.run("traditional", {"w", "s", &other}, other_log, down.fn());
  EXPECT_FALSE(miss.doc);
  EXPECT_EQ(miss.error_class, "rate_limited");
  EXPECT_TRUE(other_log.hops().empty());
}

TEST(FallbackRunner, ACachedResponseMissMovesOnToTheNextEntry) {
  PluginHost host;
  StepResultCache results(memory_cache(host));
  FallbackChain chain(chain_of({kDspy, kCached, kTraditional}));
  Variants v{{{"dspy_optimized", "optimization_failed"}}, {}};
  CallLog log;
  FallbackOutcome out =
      FallbackRunner(chain, &results).run("dspy_optimized", {"w", "s", &kInput}, log, v.fn());
  ASSERT_TRUE(out.doc);
  EXPECT_EQ(out.variant, "traditional");
  EXPECT_FALSE(out.from_cache);
  EXPECT_THAT(hop_strings(log), ElementsAre("dspy_optimized>traditional:optimization_failed"));
}

TEST(FallbackRunner, AuthPropagatesPastCachedResponseUnlessOnNamesIt) {
  PluginHost host;
  StepResultCache results(memory_cache(host));
  results.put("w", "s", kInput, json::object{{"output", "earlier"}});
  Variants v{{{"traditional", "auth"}}, {}};
  CallLog strict_log;
  FallbackChain strict(chain_of({kTraditional, kCached}));
  EXPECT_FALSE(FallbackRunner(strict, &results)
                   .run("traditional", {"w", "s", &kInput}, strict_log, v.fn())
                   .doc);
  CallLog lenient_log;
  FallbackChain lenient(chain_of({kTraditional, kCached}, {"auth"}));
  FallbackOutcome out = FallbackRunner(lenient, &results)
                            .run("traditional", {"w", "s", &kInput}, lenient_log, v.fn());
  ASSERT_TRUE(out.doc);
  EXPECT_EQ(serialize(json::value(*out.doc)), R"({"output":"earlier"})");
}

TEST(FallbackRunner, SuccessesAreKeptOnlyWhenTheChainHasCachedResponse) {
  PluginHost host;
  auto cache = memory_cache(host);
  StepResultCache results(cache);
  FallbackChain chain;  // no cached_response entry
  Variants ok;
  CallLog log;
  ASSERT_TRUE(
      FallbackRunner(chain, &results).run("traditional", {"w", "s", &kInput}, log, ok.fn()).doc);
  EXPECT_FALSE(results.get("w", "s", kInput));
}

}  // namespace
}  // namespace pipeline
