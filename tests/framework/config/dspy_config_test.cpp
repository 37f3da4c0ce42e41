// dspy_config: the architecture's defaults, an explicit false honoured, a step's keys overriding
// the workflow's, and every wrong value named at file:line:col.
#include <pipeline/config/dspy_config.hpp>
#include <pipeline/config/yaml_json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

Workflow load(const std::string& yaml, Diagnostics& d) {
  auto doc = load_yaml_string(yaml, "wf.yaml", d);
  EXPECT_TRUE(doc) << d.format();
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  EXPECT_TRUE(wf) << d.format();
  return *wf;
}

TEST(DspyConfig, WithoutTheSectionTheArchitecturesDefaultsHold) {
  Diagnostics d;
  Workflow wf = load("workflow:\n  name: w\n  steps:\n    - {name: a, type: claude}\n", d);
  DspyConfig c = dspy_config_for(wf, &wf.steps[0], d);
  EXPECT_FALSE(c.optimization_enabled);
  EXPECT_FALSE(c.hybrid_mode);
  EXPECT_TRUE(c.cache_enabled);
  EXPECT_EQ(c.evaluation_mode, "bootstrap_few_shot");
  EXPECT_EQ(c.fallback_strategy, "traditional");
  EXPECT_EQ(c.optimization_frequency.name(), "weekly");
  EXPECT_TRUE(c.lazy_optimization);
  EXPECT_TRUE(c.training_data_path.empty());
  EXPECT_EQ(d.items().size(), 0u) << d.format();
}

TEST(DspyConfig, AnExplicitFalseIsHonouredAndAStepOverridesKeyByKey) {
  Diagnostics d;
  Workflow wf = load(
      "workflow:\n  name: w\n  dspy_config:\n    cache_enabled: false\n"
      "    optimization_enabled: true\n    optimization_frequency: daily\n"
      "    training_data_path: train.jsonl\n  steps:\n"
      "    - name: a\n      type: claude\n      dspy_config: {optimization_frequency: monthly,"
      " chain_of_thought: true, max_optimization_calls: 40}\n"
      "    - {name: b, type: claude}\n",
      d);
  DspyConfig a = dspy_config_for(wf, &wf.steps[0], d);
  DspyConfig b = dspy_config_for(wf, &wf.steps[1], d);
  EXPECT_FALSE(a.cache_enabled);
  EXPECT_TRUE(a.optimization_enabled);
  EXPECT_EQ(a.training_data_path, "train.jsonl");
  EXPECT_EQ(a.optimization_frequency.name(), "monthly");
  EXPECT_EQ(a.max_optimization_calls, 40);
  EXPECT_EQ(b.optimization_frequency.name(), "daily");
  EXPECT_EQ(b.max_optimization_calls, 1000);
  EXPECT_EQ(d.items().size(), 0u) << d.format();
}

TEST(DspyConfig, WrongValuesAreErrorsAtTheirPlaceAndUnknownKeysWarnings) {
  Diagnostics d;
  Workflow wf = load(
      "workflow:\n  name: w\n  dspy_config:\n    cache_enabled: \"no\"\n"
      "    optimization_frequency: hourly\n    max_optimization_seconds: -3\n"
      "    optimisation_enabled: true\n  steps:\n    - {name: a, type: claude}\n",
      d);
  Diagnostics v;
  validate_dspy_config(wf, v);
  EXPECT_EQ(v.error_count(), 3u) << v.format();
  EXPECT_EQ(v.warning_count(), 1u) << v.format();
  const std::string text = v.format();
  EXPECT_THAT(text, HasSubstr("wf.yaml:4:20: error: workflow dspy_config.cache_enabled must be "
                              "true or false"));
  EXPECT_THAT(text, HasSubstr("wf.yaml:5:29: error: workflow dspy_config.optimization_frequency "
                              "must be one of daily, weekly, monthly, adaptive"));
  EXPECT_THAT(text, HasSubstr("wf.yaml:6"));
  EXPECT_THAT(text, HasSubstr("unknown dspy_config key 'optimisation_enabled'"));
}

TEST(DspyConfig, AStepsOwnProblemsAreReportedOnceEach) {
  Diagnostics d;
  Workflow wf = load(
      "workflow:\n  name: w\n  dspy_config: {hybrid_mode: 1}\n  steps:\n"
      "    - {name: a, type: claude, dspy_config: {lazy_optimization: maybe}}\n"
      "    - {name: b, type: claude, dspy_config: [1]}\n",
      d);
  Diagnostics v;
  validate_dspy_config(wf, v);
  EXPECT_EQ(v.error_count(), 3u) << v.format();
  EXPECT_THAT(v.format(), HasSubstr("workflow dspy_config.hybrid_mode must be true or false"));
  EXPECT_THAT(v.format(),
              HasSubstr("step 'a' dspy_config.lazy_optimization must be true or false"));
  EXPECT_THAT(v.format(), HasSubstr("step 'b' dspy_config must be a map"));
}

TEST(OptimizationFrequency, FixedFrequenciesBoundTheAgeAndAdaptiveDoublesToAMonth) {
  using std::chrono::hours;
  EXPECT_EQ(OptimizationFrequency::parse("daily")->max_age(), hours(24));
  EXPECT_EQ(OptimizationFrequency::parse("weekly")->max_age(3), hours(24 * 7));
  EXPECT_EQ(OptimizationFrequency::parse("monthly")->max_age(), hours(24 * 30));
  auto adaptive = *OptimizationFrequency::parse("adaptive");
  EXPECT_EQ(adaptive.max_age(0), hours(24));
  EXPECT_EQ(adaptive.max_age(1), hours(48));
  EXPECT_EQ(adaptive.max_age(4), hours(24 * 16));
  EXPECT_EQ(adaptive.max_age(5), hours(24 * 30));
  EXPECT_EQ(adaptive.max_age(500), hours(24 * 30));
  EXPECT_FALSE(OptimizationFrequency::parse("Daily"));
}

}  // namespace
}  // namespace pipeline
