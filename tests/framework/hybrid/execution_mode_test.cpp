// Mode precedence: --mode > hybrid_config.mode > dspy_config.optimization_enabled >
// dspy_config.hybrid_mode > traditional, and a step's execution_mode: traditional always wins.
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/hybrid/execution_mode.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

Workflow load(const std::string& sections) {
  Diagnostics d;
  const std::string yaml = "workflow:\n  name: w\n" + sections +
                           "  steps:\n    - {name: a, type: claude}\n"
                           "    - {name: b, type: claude, execution_mode: traditional}\n"
                           "    - {name: c, type: claude, execution_mode: dspy_optimized}\n";
  auto doc = load_yaml_string(yaml, "wf.yaml", d);
  EXPECT_TRUE(doc) << d.format();
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  EXPECT_TRUE(wf) << d.format();
  return *wf;
}

ModeChoice resolve(std::string_view cli, const std::string& sections) {
  Diagnostics d;
  ModeChoice c = resolve_mode(cli, load(sections), d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  return c;
}

const std::string kAll =
    "  hybrid_config: {mode: evaluation}\n"
    "  dspy_config: {optimization_enabled: true, hybrid_mode: true}\n";

TEST(ResolveMode, TheCommandLineWinsOverEverySection) {
  ModeChoice c = resolve("traditional", kAll);
  EXPECT_EQ(c.mode, ExecutionMode::kTraditional);
  EXPECT_EQ(c.source, "--mode");
  EXPECT_EQ(resolve("hybrid", "").mode, ExecutionMode::kHybrid);
}

TEST(ResolveMode, HybridConfigModeWinsOverDspyConfig) {
  ModeChoice c = resolve("", kAll);
  EXPECT_EQ(c.mode, ExecutionMode::kEvaluation);
  EXPECT_EQ(c.source, "hybrid_config.mode");
  // An explicit traditional there is a choice, not an absence.
  EXPECT_EQ(resolve("",
                    "  hybrid_config: {mode: traditional}\n"
                    "  dspy_config: {optimization_enabled: true}\n")
                .mode,
            ExecutionMode::kTraditional);
}

TEST(ResolveMode, OptimizationEnabledWinsOverHybridMode) {
  ModeChoice c = resolve("",
                         "  hybrid_config: {intelligent_routing: true}\n"
                         "  dspy_config: {optimization_enabled: true, hybrid_mode: true}\n");
  EXPECT_EQ(c.mode, ExecutionMode::kDspyOptimized);
  EXPECT_EQ(c.source, "dspy_config.optimization_enabled");
}

TEST(ResolveMode, HybridModeGivesHybridAndFalseIsHonoured) {
  ModeChoice c = resolve("", "  dspy_config: {optimization_enabled: false, hybrid_mode: true}\n");
  EXPECT_EQ(c.mode, ExecutionMode::kHybrid);
  EXPECT_EQ(c.source, "dspy_config.hybrid_mode");
  ModeChoice off =
      resolve("", "  dspy_config: {optimization_enabled: false, hybrid_mode: false}\n");
  EXPECT_EQ(off.mode, ExecutionMode::kTraditional);
  EXPECT_EQ(off.source, "default");
}

TEST(ResolveMode, WithoutAnySectionTheModeIsTraditional) {
  ModeChoice c = resolve("", "");
  EXPECT_EQ(c.mode, ExecutionMode::kTraditional);
  EXPECT_EQ(c.source, "default");
}

TEST(ResolveMode, AnUnknownCommandLineModeIsAnErrorAndTheSectionsDecide) {
  Diagnostics d;
  ModeChoice c = resolve_mode("turbo", load("  dspy_config: {hybrid_mode: true}\n"), d);
  EXPECT_EQ(d.error_count(), 1u);
  EXPECT_THAT(d.format(), HasSubstr("--mode: error: mode 'turbo' is not one of traditional, "
                                    "dspy_optimized, hybrid, evaluation"));
  EXPECT_EQ(c.mode, ExecutionMode::kHybrid);
}

TEST(ResolveMode, SectionProblemsAreLeftToValidation) {
  Diagnostics d;
  ModeChoice c = resolve_mode("",
                              load("  hybrid_config: {mode: 3}\n"
                                   "  dspy_config: {hybrid_mode: true}\n"),
                              d);
  EXPECT_EQ(d.items().size(), 0u) << d.format();
  EXPECT_EQ(c.mode, ExecutionMode::kHybrid);
}

TEST(StepMode, ExecutionModeTraditionalAlwaysWinsForThatStepOnly) {
  Workflow wf = load("");
  for (ExecutionMode m : {ExecutionMode::kTraditional, ExecutionMode::kDspyOptimized,
                          ExecutionMode::kHybrid, ExecutionMode::kEvaluation}) {
    EXPECT_EQ(step_mode(m, wf.steps[0]), m);
    EXPECT_EQ(step_mode(m, wf.steps[1]), ExecutionMode::kTraditional);
    EXPECT_EQ(step_mode(m, wf.steps[2]), m);  // only `traditional` overrides
  }
}

TEST(ExecutionModeNames, RoundTrip) {
  for (ExecutionMode m : {ExecutionMode::kTraditional, ExecutionMode::kDspyOptimized,
                          ExecutionMode::kHybrid, ExecutionMode::kEvaluation})
    EXPECT_EQ(parse_mode(mode_name(m)), m);
  EXPECT_FALSE(parse_mode("Hybrid"));
}

}  // namespace
}  // namespace pipeline
