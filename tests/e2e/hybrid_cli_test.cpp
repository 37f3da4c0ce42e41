// End to end: `pipeline run` in the hybrid, dspy_optimized and evaluation modes, through the
// built binary with the built plugins: the route on each step result, routing that changes
// because of the history earlier runs recorded (examples/hybrid), sticky split assignment by
// episode, the DSPy-unavailable fallback and `fallback_enabled: false`, the evaluation mode's
// comparison, and workflows without hybrid sections running exactly as before.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProcessResult;

const std::string kRules = "classify=examples/optimization/programs/rules.json";
const std::string kSimulated = "examples/optimization/host-simulated.yaml";

class HybridCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-hybrid-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every run of one test shares its history ($XDG_DATA_HOME) and caches, none of the user's.
  ProcessResult pipeline(std::vector<std::string> args) {
    args.insert(args.begin(), PIPELINE_BINARY);
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                 {"XDG_DATA_HOME", (dir_ / "data").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }

  // The record of the first step of a `run --json` document.
  static json::object first_record(const ProcessResult& r) {
    auto doc = parse_json(r.out);
    EXPECT_TRUE(doc && doc->is_object()) << r.out << r.err;
    if (!doc || !doc->is_object()) return {};
    const auto& steps = doc->at("steps").as_array();
    EXPECT_FALSE(steps.empty());
    if (steps.empty()) return {};
    return steps[0].as_object().at("record").as_object();
  }

  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }

  ProcessResult triage(std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",    "examples/hybrid/triage.yaml",
                                     "-c",     kSimulated,
                                     "--set",  "ticket=I was charged twice for the lamp",
                                     "--json", "--program",
                                     kRules};
    args.insert(args.end(), extra.begin(), extra.end());
    return pipeline(args);
  }

  fs::path dir_;
};

TEST_F(HybridCliTest, TheExampleRoutesToTheProgramOnTheThirdRunBecauseOfTheFirstTwo) {
  std::vector<json::object> routes;
  for (int i = 0; i < 3; ++i) {
    ProcessResult r = triage({});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json::object rec = first_record(r);
    ASSERT_TRUE(rec.contains("route")) << r.out;
    routes.push_back(rec.at("route").as_object());
    // The shadow test keeps the answer that is a valid team: the program's.
    EXPECT_EQ(rec.at("variant").as_string(), "dspy_optimized") << r.out;
  }
  // Runs 1 and 2: fewer than min_samples (2) scored executions of each variant: explore.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(routes[i].at("mode").as_string(), "hybrid");
    EXPECT_EQ(routes[i].at("ab").as_string(), "shadow") << json::serialize(routes[i]);
    EXPECT_EQ(routes[i].at("samples").at("dspy_optimized").to_number<int64_t>(), i);
  }
  // Run 3: two scored executions each, benefit 1.0 > 2 x 0.1: the program alone.
  EXPECT_FALSE(routes[2].contains("ab") && routes[2].at("ab").as_string() != "none")
      << json::serialize(routes[2]);
  EXPECT_EQ(routes[2].at("variant").as_string(), "dspy_optimized");
  EXPECT_DOUBLE_EQ(routes[2].at("benefit").to_number<double>(), 1.0);
  EXPECT_EQ(routes[2].at("samples").at("traditional").to_number<int64_t>(), 2);
}

TEST_F(HybridCliTest, ProgressLinesSayWhichVariantRanAndWhy) {
  ProcessResult r = pipeline({"run", "examples/hybrid/triage.yaml", "-c", kSimulated, "--set",
                              "ticket=I was charged twice", "--program", kRules});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[ok] classify"));
  EXPECT_THAT(r.err, HasSubstr("-> dspy_optimized ("));
}

TEST_F(HybridCliTest, ModeFlagWinsOverTheWorkflowsHybridConfig) {
  ProcessResult r = triage({"--mode", "traditional"});
  // --program needs a mode that runs programs.
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = pipeline({"run", "examples/hybrid/triage.yaml", "-c", kSimulated, "--set", "ticket=x",
                "--json", "--mode", "traditional"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object rec = first_record(r);
  EXPECT_FALSE(rec.contains("route")) << "a traditional run is routed by nobody";
  auto doc = parse_json(r.out);
  EXPECT_FALSE(doc->as_object().contains("mode"));
}

TEST_F(HybridCliTest, AWorkflowWithoutHybridSectionsRunsExactlyAsBefore) {
  ProcessResult r = pipeline({"run", "examples/hello.yaml", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_FALSE(doc->as_object().contains("mode"));
  for (const auto& s : doc->at("steps").as_array()) {
    const auto& rec = s.at("record").as_object();
    EXPECT_FALSE(rec.contains("route"));
    EXPECT_FALSE(rec.contains("fallbacks"));
    EXPECT_EQ(rec.at("mode").as_string(), "traditional");
  }
}

TEST_F(HybridCliTest, SplitGivesOneEpisodeAlwaysTheSameVariant) {
  fs::path wf = write("split.yaml", R"(workflow:
  name: split_triage
  hybrid_config: {mode: hybrid, ab_testing_enabled: true, ab_policy: split, split_share: 0.5}
  steps:
    - name: classify
      type: claude
      prompt: [{type: static, content: "Team for: {{inputs.ticket}}"}]
      signature:
        instructions: Classify the support ticket.
        input_fields: [{name: ticket, type: str}]
        output_fields: [{name: category, type: str}]
)");
  auto variant_of = [&](const std::string& episode) {
    ProcessResult r = pipeline({"run", wf.string(), "-c", kSimulated, "--set", "ticket=refund",
                                "--json", "--program", kRules, "--episode", episode});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json::object rec = first_record(r);
    EXPECT_EQ(rec.at("route").at("ab").as_string(), "split") << r.out;
    return std::string(rec.at("variant").as_string());
  };
  std::set<std::string> seen;
  for (int e = 0; e < 8; ++e) {
    std::string v = variant_of("episode-" + std::to_string(e));
    EXPECT_EQ(variant_of("episode-" + std::to_string(e)), v) << "episode " << e << " is sticky";
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 2u) << "8 episodes at a 50% share see both variants";
}

TEST_F(HybridCliTest, DspyOptimizedWithoutAProgramFallsBackToTheStepAsWritten) {
  fs::path wf = write("noprog.yaml", R"(workflow:
  name: noprog
  dspy_config: {lazy_optimization: false}
  steps:
    - name: classify
      type: claude
      prompt: [{type: static, content: "Team for: {{inputs.ticket}}"}]
      signature:
        instructions: Classify the support ticket.
        input_fields: [{name: ticket, type: str}]
        output_fields: [{name: category, type: str}]
)");
  ProcessResult r = pipeline(
      {"run", wf.string(), "--set", "ticket=refund", "--json", "--mode", "dspy_optimized"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object rec = first_record(r);
  EXPECT_EQ(rec.at("variant").as_string(), "traditional");
  ASSERT_TRUE(rec.contains("fallbacks")) << r.out;
  const auto& hop = rec.at("fallbacks").as_array().at(0).as_object();
  EXPECT_EQ(hop.at("from").as_string(), "dspy_optimized");
  EXPECT_EQ(hop.at("to").as_string(), "traditional");
  EXPECT_EQ(hop.at("class").as_string(), "dspy_unavailable");
  EXPECT_THAT(std::string(hop.at("message").as_string()), HasSubstr("lazy_optimization"));
  auto doc = parse_json(r.out);
  EXPECT_EQ(doc->at("totals").at("fallback_hops").to_number<int64_t>(), 1)
      << "the run's totals count every hop";

  // fallback_enabled: false: DSPy unavailable fails the step (exit 1) instead.
  fs::path off = write("off.yaml", R"(workflow:
  name: noprog_off
  dspy_config: {lazy_optimization: false}
  hybrid_config: {fallback_enabled: false}
  steps:
    - name: classify
      type: claude
      prompt: [{type: static, content: "Team for: {{inputs.ticket}}"}]
      signature:
        instructions: Classify the support ticket.
        input_fields: [{name: ticket, type: str}]
        output_fields: [{name: category, type: str}]
)");
  r = pipeline(
      {"run", off.string(), "--set", "ticket=refund", "--json", "--mode", "dspy_optimized"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("lazy_optimization"));
  EXPECT_EQ(first_record(r).at("error_class").as_string(), "dspy_unavailable");
}

TEST_F(HybridCliTest, StepsInsideALoopRunAsWrittenAndOnlyTheTopLevelStepIsRouted) {
  const std::string signature =
      "      signature:\n        instructions: Classify the support ticket.\n"
      "        input_fields: [{name: ticket, type: str}]\n"
      "        output_fields: [{name: category, type: str}]\n";
  auto wf = write("looped.yaml",
                  "workflow:\n  name: looped\n  steps:\n    - name: classify\n      type: claude\n"
                  "      prompt: [{type: static, content: \"Team for: {{inputs.ticket}}\"}]\n" +
                      signature +
                      "    - name: each\n      type: for_loop\n      iterator: t\n"
                      "      data_source: [one, two]\n      steps:\n"
                      "        - name: classify_each\n          type: claude\n"
                      "          prompt: [{type: static, content: \"Team for: {{t}}\"}]\n"
                      "          signature:\n            instructions: Classify the ticket.\n"
                      "            input_fields: [{name: ticket, type: str}]\n"
                      "            output_fields: [{name: category, type: str}]\n");
  ProcessResult r =
      pipeline({"run", wf.string(), "-c", kSimulated, "--mode", "dspy_optimized", "--set",
                "ticket=I was charged twice", "--program", kRules, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& steps = doc->at("steps").as_array();
  ASSERT_EQ(steps.size(), 2u);
  const auto& top = steps[0].at("record").as_object();
  EXPECT_EQ(top.at("variant"), "dspy_optimized") << r.out;
  // The loop's body steps have no program of their own and no history to route by: they run as
  // written, with no DSPy-unavailable hop counted for the loop (which itself has no signature).
  const auto& loop = steps[1].at("record").as_object();
  EXPECT_EQ(loop.at("variant"), "traditional");
  EXPECT_THAT(std::string(loop.at("route").at("reason").as_string()), HasSubstr("no signature"));
  EXPECT_FALSE(loop.contains("fallbacks")) << json::serialize(loop);
  EXPECT_EQ(loop.at("llm_calls"), 2) << json::serialize(loop);
}

TEST_F(HybridCliTest, EvaluationModeReturnsTheStepAsWrittenAndComparesBoth) {
  ProcessResult r = pipeline({"run", "examples/hybrid/triage.yaml", "-c", kSimulated, "--set",
                              "ticket=I was charged twice", "--program", kRules, "--mode",
                              "evaluation", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object rec = first_record(r);
  EXPECT_EQ(rec.at("variant").as_string(), "traditional");
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc->as_object().contains("evaluation")) << r.out;
  const auto& row = doc->at("evaluation").as_array().at(0).as_object();
  EXPECT_EQ(row.at("step").as_string(), "classify");
  EXPECT_EQ(row.at("traditional").at("n").to_number<int64_t>(), 1);
  EXPECT_EQ(row.at("dspy_optimized").at("n").to_number<int64_t>(), 1);
  EXPECT_TRUE(row.contains("recommendation"));

  r = pipeline({"run", "examples/hybrid/triage.yaml", "-c", kSimulated, "--set",
                "ticket=I was charged twice", "--program", kRules, "--mode", "evaluation"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("evaluation: classify"));
}

TEST_F(HybridCliTest, CacheEnabledFalseKeepsTheWorkflowsCallsOutOfTheResponseCache) {
  auto twice = [&](const std::string& dspy_config) {
    fs::path wf = write("cache.yaml", "workflow:\n  name: cache_off\n" + dspy_config +
                                          "  steps:\n    - name: ask\n      type: claude\n"
                                          "      prompt: [{type: static, content: hello}]\n");
    int64_t hits = -1;
    for (int i = 0; i < 2; ++i) {
      ProcessResult r = pipeline({"run", wf.string(), "--json"});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      auto doc = parse_json(r.out);
      if (doc) hits = doc->at("totals").at("cache_hits").to_number<int64_t>();
    }
    return hits;  // of the second run
  };
  EXPECT_EQ(twice(""), 1) << "the built-in cache answers the same request the second time";
  EXPECT_EQ(twice("  dspy_config: {cache_enabled: false}\n"), 0);
}

}  // namespace
}  // namespace pipeline
