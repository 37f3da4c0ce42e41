// The step grain of the fallback chain inside the real executor: a strategy that runs steps
// through FallbackRunner (as the hybrid strategy does), real llm_steps and openai plugins, the
// loopback mock LLM server, and a cached_response store in SQLite shared by two runtimes.
#include "workflow_harness.hpp"

#include <mock_llm_server/mock_llm_server.hpp>

#include <pipeline/engine/traditional_strategy.hpp>
#include <pipeline/hybrid/fallback_runner.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const char* kWorkflow = R"(workflow:
  name: chain
  steps:
    - name: ask
      type: claude
      prompt:
        - type: static
          content: "which team?"
)";

// Runs `first` and falls back along the chain; dspy_optimized "fails" with `dspy_class` (no
// optimizer plugin in this test: what the hybrid strategy reports as dspy_unavailable).
class ChainStrategy : public StepStrategy {
 public:
  ChainStrategy(Runtime& rt, FallbackChain chain, std::string first, std::string dspy_class)
      : traditional_(rt),
        chain_(std::move(chain)),
        results_(rt.cache()),
        first_(std::move(first)),
        dspy_class_(std::move(dspy_class)) {}
  std::string_view mode() const override { return "hybrid"; }
  Result<json::object> run(const PreparedStep& step, const StepRun& run) override {
    FallbackRunner runner(chain_, &results_);
    FallbackOutcome out =
        runner.run(first_, {run.workflow.name, run.step.name, &step.input}, run.calls,
                   [&](const std::string& variant) -> VariantRun {
                     if (variant == "dspy_optimized") {
                       return {Status(StatusCode::kFailedPrecondition, "no program for step 'ask'"),
                               dspy_class_};
                     }
                     Result<json::object> doc = traditional_.run(step, run);
                     std::string cls = doc ? std::string() : run.calls.last_error_class();
                     return {std::move(doc), std::move(cls)};
                   });
    if (run.notes != nullptr) run.notes->variant = out.variant;
    return std::move(out.doc);
  }

 private:
  TraditionalStrategy traditional_;
  FallbackChain chain_;
  StepResultCache results_;
  std::string first_;
  std::string dspy_class_;
};

class FallbackEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-fallback-engine-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_.start();
  }
  void TearDown() override {
    server_.stop();
    fs::remove_all(dir_);
  }
  // One openai instance on the mock server (sending `fault` with every request); responses
  // and step results cached in SQLite under the test's folder.
  HostConfig host(const std::string& fault) {
    HostConfig cfg = HostConfig::builtin();
    cfg.plugin_search_paths = {PIPELINE_PLUGIN_DIR};
    cfg.plugin_allowlist = {"mock", "llm_steps", "openai", "cache_sqlite"};
    json::object settings{{"base_url", server_.base_url() + "/v1"},
                          {"model", "gpt-4o-mini"},
                          {"max_attempts", 1},
                          {"stream", false}};
    if (!fault.empty()) settings["headers"] = json::object{{"x-mock-fault", fault}};
    cfg.providers["primary"] = {"primary", "openai", settings, {"host.yaml", 1, 1}};
    cfg.step_providers["default"] = "primary";
    cfg.cache = json::object{
        {"mode", "on"},
        {"levels", json::array{json::object{
                       {"backend", "sqlite"},
                       {"config", json::object{{"path", (dir_ / "cache.sqlite").string()}}}}}}};
    cfg.cache_is_builtin = false;
    return cfg;
  }
  RunResult run(const HostConfig& cfg, const FallbackConfig& chain, const std::string& first,
                const std::string& dspy_class = "dspy_unavailable", bool enabled = true) {
    auto l = testing::load(kWorkflow, cfg);
    EXPECT_FALSE(l->diags.has_errors()) << l->diags.format();
    Diagnostics start;
    EXPECT_TRUE(l->runtime->start(start)) << start.format();
    ChainStrategy strategy(*l->runtime, FallbackChain(chain, enabled), first, dspy_class);
    ExecutorOptions opts;
    opts.output_dir = dir_ / "out";
    opts.choose_strategy = [&](const StepConfig&) -> StepStrategy* { return &strategy; };
    Executor ex(*l->runtime, std::move(opts));
    return ex.run(*l->workflow);
  }
  static FallbackConfig chain(std::vector<std::string> names) {
    FallbackConfig c;
    c.declared = true;
    for (auto& n : names) {
      c.chain.push_back({n == "cached_response" ? FallbackEntry::Kind::kCachedResponse
                                                : FallbackEntry::Kind::kVariant,
                         n,
                         {}});
    }
    return c;
  }

  fs::path dir_;
  testing::MockLlmServer server_;
};

TEST_F(FallbackEngine, DspyUnavailableAndOptimizationFailedFallBackToTheStepAsWritten) {
  for (const char* cls : {"dspy_unavailable", "optimization_failed"}) {
    RunResult r = run(host(""), FallbackConfig::builtin(), "dspy_optimized", cls);
    ASSERT_TRUE(r.success) << cls << ": " << r.error;
    const ExecutionRecord& rec = r.steps.at(0).record;
    EXPECT_EQ(rec.variant, "traditional");
    ASSERT_EQ(rec.fallbacks.size(), 1u) << cls;
    EXPECT_EQ(rec.fallbacks[0].from, "dspy_optimized");
    EXPECT_EQ(rec.fallbacks[0].to, "traditional");
    EXPECT_EQ(rec.fallbacks[0].error_class, cls);
    EXPECT_EQ(rec.fallbacks[0].message, "no program for step 'ask'");
    EXPECT_THAT(serialize(json::value(r.results)), HasSubstr("echo: which team?"));
    auto j = rec.to_json();
    EXPECT_EQ(j.at("fallbacks").as_array().size(), 1u);
    EXPECT_EQ(j.at("fallback_hops").to_number<int64_t>(), 1) << "a step hop counts too";
    EXPECT_EQ(r.totals.fallback_hops, 1);
  }
}

TEST_F(FallbackEngine, WithTheChainOffDspyUnavailableFailsTheStep) {
  RunResult r = run(host(""), FallbackConfig::builtin(), "dspy_optimized", "dspy_unavailable",
                    /*enabled=*/false);
  EXPECT_FALSE(r.success);
  EXPECT_TRUE(r.steps.at(0).record.fallbacks.empty());
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(FallbackEngine, CachedResponseAnswersARateLimitedStepWithItsLastOutput) {
  // Run 1: the provider answers; the step's output is kept for these inputs.
  RunResult first = run(host(""), chain({"traditional", "cached_response"}), "traditional");
  ASSERT_TRUE(first.success) << first.error;
  // Run 2, a new runtime on the same cache: the provider is rate limited now (another instance
  // identity, so the response cache cannot answer), and cached_response does.
  RunResult second =
      run(host("rate_limit"), chain({"traditional", "cached_response"}), "traditional");
  ASSERT_TRUE(second.success) << second.error;
  EXPECT_EQ(serialize(json::value(second.results)), serialize(json::value(first.results)));
  const ExecutionRecord& rec = second.steps.at(0).record;
  ASSERT_EQ(rec.fallbacks.size(), 1u);
  EXPECT_EQ(rec.fallbacks[0].from, "traditional");
  EXPECT_EQ(rec.fallbacks[0].to, "cached_response");
  EXPECT_EQ(rec.fallbacks[0].error_class, "rate_limited");
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(FallbackEngine, AnAuthFailurePropagatesPastCachedResponse) {
  ASSERT_TRUE(run(host(""), chain({"traditional", "cached_response"}), "traditional").success);
  RunResult r = run(host("auth"), chain({"traditional", "cached_response"}), "traditional");
  EXPECT_FALSE(r.success);
  EXPECT_EQ(r.steps.at(0).record.error_class, "auth");
  EXPECT_TRUE(r.steps.at(0).record.fallbacks.empty());
}

}  // namespace
}  // namespace pipeline
