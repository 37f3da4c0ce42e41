// The workflow parser works on JSON (with a SourceMap for locations): the same functions parse a
// loaded file, a loop body, an inline pipeline and a step list a plugin sends.
#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;

TEST(WorkflowJson, AStepListAPluginSentIsParsedAndLocatedAtTheSender) {
  Diagnostics d;
  json::value list = json::parse(R"([
    {"name": "a", "type": "claude", "prompt": [{"type": "static", "content": "hi"}]},
    {"name": "a", "type": "claude"},
    {"type": "claude"}
  ])");
  auto steps = parse_step_list(list.get_array(), SourceRef(SourceLocation{"wf.yaml", 9, 3}), d);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].name, "a");
  ASSERT_EQ(steps[0].prompt.size(), 1u);
  EXPECT_EQ(get_string(steps[0].prompt[0].fields, "content"), "hi");
  ASSERT_EQ(d.error_count(), 2u) << d.format();
  EXPECT_THAT(d.format(), HasSubstr("wf.yaml:9:3"));
  EXPECT_THAT(d.format(), HasSubstr("'a' is defined twice"));
  EXPECT_THAT(d.format(), HasSubstr("missing 'name'"));
}

TEST(WorkflowJson, ScalarsAreReadAsWritten) {
  Diagnostics d;
  auto step = parse_step(json::parse(R"({"name": 12, "type": "claude", "output_to_file": 7})"),
                         SourceRef(), d);
  ASSERT_TRUE(step) << d.format();
  EXPECT_EQ(step->name, "12");
  EXPECT_EQ(step->output_to_file, "7");
}

TEST(WorkflowJson, AnInlinePipelineMapParsesLikeAFile) {
  Diagnostics d;
  auto doc = load_yaml_string(
      "workflow:\n  name: outer\n  steps:\n    - name: p\n      type: pipeline\n"
      "      pipeline:\n        name: inner\n        steps:\n          - name: x\n"
      "            type: nope_type\n            condition: \"a >\"\n",
      "wf.yaml", d);
  ASSERT_TRUE(doc);
  auto outer = parse_workflow(*doc, "wf.yaml", d);
  ASSERT_TRUE(outer) << d.format();
  const StepConfig& p = outer->steps.at(0);
  auto inner = parse_workflow_map(p.raw.at("pipeline"), p.source.child("pipeline"), "wf.yaml", d);
  ASSERT_TRUE(inner) << d.format();
  EXPECT_EQ(inner->name, "inner");
  ASSERT_EQ(inner->steps.size(), 1u);
  // Locations inside the inline pipeline are those of the file.
  EXPECT_EQ(inner->steps[0].where.to_string(), "wf.yaml:9:13");
  EXPECT_EQ(inner->steps[0].source.key_where("condition").to_string(), "wf.yaml:11:13");
}

TEST(WorkflowJson, SectionsAreTheWorkflowKeysTheFrameworkDoesNotRead) {
  Diagnostics d;
  auto doc = load_yaml_string(
      "workflow:\n  name: w\n  environment: {mode: production}\n  gemini_functions: {}\n"
      "  checkpoint_enabled: true\n  steps:\n    - name: a\n      type: claude\n",
      "wf.yaml", d);
  ASSERT_TRUE(doc);
  auto wf = parse_workflow(*doc, "wf.yaml", d);
  ASSERT_TRUE(wf) << d.format();
  EXPECT_EQ(wf->sections.size(), 2u);
  EXPECT_TRUE(wf->sections.contains("environment"));
  EXPECT_TRUE(wf->sections.contains("gemini_functions"));
  EXPECT_TRUE(wf->checkpoint_enabled);
}

}  // namespace
}  // namespace pipeline
