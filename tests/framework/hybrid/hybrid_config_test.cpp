// hybrid_config: the architecture's defaults, an explicit false honoured, a step's keys
// overriding the workflow's, every wrong value named at file:line:col, and the validation
// reached through validate_workflow's list.
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/hybrid/hybrid_config.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

Workflow load(const std::string& yaml) {
  Diagnostics d;
  auto doc = load_yaml_string(yaml, "wf.yaml", d);
  EXPECT_TRUE(doc) << d.format();
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  EXPECT_TRUE(wf) << d.format();
  return *wf;
}

TEST(HybridConfig, WithoutTheSectionTheArchitecturesDefaultsHold) {
  Workflow wf = load("workflow:\n  name: w\n  steps:\n    - {name: a, type: claude}\n");
  Diagnostics d;
  HybridConfig c = hybrid_config_for(wf, &wf.steps[0], d);
  EXPECT_FALSE(c.mode.has_value());
  EXPECT_FALSE(c.intelligent_routing);
  EXPECT_FALSE(c.ab_testing_enabled);
  EXPECT_DOUBLE_EQ(c.performance_threshold, 0.1);
  EXPECT_TRUE(c.fallback_enabled);
  EXPECT_EQ(c.ab_policy, AbPolicy::kShadow);
  EXPECT_EQ(c.min_samples, 5);
  EXPECT_DOUBLE_EQ(c.split_share, 0.5);
  EXPECT_DOUBLE_EQ(c.confidence, 0.95);
  EXPECT_TRUE(c.metric.is_null());
  EXPECT_EQ(d.items().size(), 0u) << d.format();
}

TEST(HybridConfig, AnExplicitFalseIsHonouredAndAStepOverridesKeyByKey) {
  Workflow wf = load(
      "workflow:\n  name: w\n  hybrid_config:\n    mode: hybrid\n    fallback_enabled: false\n"
      "    intelligent_routing: true\n    performance_threshold: 0.2\n    ab_policy: split\n"
      "  steps:\n"
      "    - name: a\n      type: claude\n"
      "      hybrid_config: {intelligent_routing: false, split_share: 0.25, min_samples: 12,"
      " ab_policy: adaptive, confidence: 0.99, metric: llm_judge}\n"
      "    - {name: b, type: claude}\n");
  Diagnostics d;
  HybridConfig a = hybrid_config_for(wf, &wf.steps[0], d);
  HybridConfig b = hybrid_config_for(wf, &wf.steps[1], d);
  HybridConfig w = hybrid_config_for(wf, nullptr, d);
  EXPECT_EQ(a.mode, ExecutionMode::kHybrid);
  EXPECT_FALSE(a.fallback_enabled);
  EXPECT_FALSE(a.intelligent_routing);
  EXPECT_DOUBLE_EQ(a.performance_threshold, 0.2);
  EXPECT_DOUBLE_EQ(a.split_share, 0.25);
  EXPECT_EQ(a.min_samples, 12);
  EXPECT_EQ(a.ab_policy, AbPolicy::kAdaptive);
  EXPECT_DOUBLE_EQ(a.confidence, 0.99);
  EXPECT_EQ(a.metric, json::value("llm_judge"));
  EXPECT_TRUE(b.intelligent_routing);
  EXPECT_FALSE(b.fallback_enabled);
  EXPECT_EQ(b.ab_policy, AbPolicy::kSplit);
  EXPECT_EQ(b.min_samples, 5);
  EXPECT_TRUE(w.intelligent_routing);
  EXPECT_EQ(d.items().size(), 0u) << d.format();
}

TEST(HybridConfig, WrongValuesAreErrorsAtTheirPlaceAndUnknownKeysWarnings) {
  Workflow wf = load(
      "workflow:\n  name: w\n  hybrid_config:\n    mode: fast\n"
      "    fallback_enabled: \"no\"\n    performance_threshold: 1.5\n"
      "    ab_policy: bandit\n    min_samples: 0\n    split_share: -0.1\n"
      "    confidence: 0.5\n    metric: exact_match\n    ab_testing: true\n"
      "  steps:\n    - {name: a, type: claude}\n");
  Diagnostics v;
  validate_hybrid_config(wf, v);
  EXPECT_EQ(v.error_count(), 8u) << v.format();
  EXPECT_EQ(v.warning_count(), 1u) << v.format();
  const std::string text = v.format();
  EXPECT_THAT(text, HasSubstr("wf.yaml:4:11: error: workflow hybrid_config.mode must be one of "
                              "traditional, dspy_optimized, hybrid, evaluation, found \"fast\""));
  EXPECT_THAT(text, HasSubstr("wf.yaml:5:23: error: workflow hybrid_config.fallback_enabled must "
                              "be true or false"));
  EXPECT_THAT(text, HasSubstr("wf.yaml:6:28: error: workflow hybrid_config.performance_threshold "
                              "must be a number in [0, 1], found 1.5"));
  EXPECT_THAT(text, HasSubstr("ab_policy must be one of shadow, split, adaptive"));
  EXPECT_THAT(text, HasSubstr("min_samples must be a whole number >= 1, found 0"));
  EXPECT_THAT(text, HasSubstr("split_share must be a number in [0, 1]"));
  EXPECT_THAT(text, HasSubstr("confidence must be a number in (0.5, 1), found 0.5"));
  EXPECT_THAT(text, HasSubstr("metric must be a reference-free metric"));
  EXPECT_THAT(text, HasSubstr("wf.yaml:12:5: warning: workflow: unknown hybrid_config key "
                              "'ab_testing'"));
}

TEST(HybridConfig, AStepsOwnProblemsAndItsExecutionModeAreReportedOnceEach) {
  Workflow wf = load(
      "workflow:\n  name: w\n  hybrid_config: {intelligent_routing: 1}\n  steps:\n"
      "    - {name: a, type: claude, hybrid_config: {ab_testing_enabled: maybe}}\n"
      "    - {name: b, type: claude, hybrid_config: [1]}\n"
      "    - {name: c, type: claude, execution_mode: quick}\n"
      "    - {name: d, type: claude, execution_mode: hybrid}\n"
      "    - {name: e, type: claude, execution_mode: traditional}\n");
  Diagnostics v;
  validate_hybrid_config(wf, v);
  EXPECT_EQ(v.error_count(), 4u) << v.format();
  EXPECT_EQ(v.warning_count(), 1u) << v.format();
  const std::string text = v.format();
  EXPECT_THAT(text, HasSubstr("workflow hybrid_config.intelligent_routing must be true or false"));
  EXPECT_THAT(text, HasSubstr("step 'a' hybrid_config.ab_testing_enabled must be true or false"));
  EXPECT_THAT(text, HasSubstr("step 'b' hybrid_config must be a map"));
  EXPECT_THAT(text, HasSubstr("wf.yaml:7:47: error: step 'c' execution_mode must be one of"));
  EXPECT_THAT(text, HasSubstr("step 'd' execution_mode: hybrid has no effect"));
}

TEST(HybridConfig, ShadowMetricIsTheConfiguredOneElseTheStepsWhenReferenceFree) {
  Workflow wf = load(
      "workflow:\n  name: w\n  steps:\n"
      "    - {name: a, type: claude, metric: {type: json_schema, field: out}}\n"
      "    - {name: b, type: claude, metric: exact_match}\n"
      "    - {name: c, type: claude, metric: exact_match,"
      " hybrid_config: {metric: {type: llm_judge, criteria: clear}}}\n"
      "    - {name: d, type: claude}\n");
  Diagnostics d;
  auto a = shadow_metric(hybrid_config_for(wf, &wf.steps[0], d), wf.steps[0]);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->at("type"), json::value("json_schema"));
  EXPECT_FALSE(shadow_metric(hybrid_config_for(wf, &wf.steps[1], d), wf.steps[1]));
  auto c = shadow_metric(hybrid_config_for(wf, &wf.steps[2], d), wf.steps[2]);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("type"), json::value("llm_judge"));
  EXPECT_FALSE(shadow_metric(hybrid_config_for(wf, &wf.steps[3], d), wf.steps[3]));
  EXPECT_TRUE(is_reference_free_metric("json_valid"));
  EXPECT_FALSE(is_reference_free_metric("f1"));
  EXPECT_EQ(d.items().size(), 0u) << d.format();
}

TEST(AbPolicy, NamesRoundTrip) {
  for (AbPolicy p : {AbPolicy::kShadow, AbPolicy::kSplit, AbPolicy::kAdaptive})
    EXPECT_EQ(parse_ab_policy(ab_policy_name(p)), p);
  EXPECT_FALSE(parse_ab_policy("Shadow"));
}

}  // namespace
}  // namespace pipeline
