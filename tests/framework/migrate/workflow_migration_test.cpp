#include <pipeline/migrate/workflow_migration.hpp>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace pipeline::migrate {
namespace {

const char* kWorkflow = R"(# top comment
workflow:
  name: demo   # trailing comment
  description: 'single quoted'

  # the steps
  steps:
    - name: review
      type: claude
      prompt:
        - type: static
          content: "Review this:"
        - type: file
          path: code.py
    - name: hello
      type: gemini
      prompt: [{type: static, content: hi}]
    - {name: flow, type: claude, prompt: [{type: file, path: a}, {type: file, path: b}]}
)";

TEST(WorkflowMigration, InsertsSignatureAndSectionsKeepingEveryOriginalLine) {
  auto r = migrate_workflow_text(kWorkflow, {});
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->migrated_count(), 1u);
  ASSERT_EQ(r->steps.size(), 3u);
  EXPECT_TRUE(r->steps[0].decision.candidate);
  EXPECT_FALSE(r->steps[1].decision.candidate);
  EXPECT_NE(r->steps[2].decision.reason.find("flow map"), std::string::npos);
  const std::string expected = R"(# top comment
workflow:
  name: demo   # trailing comment
  description: 'single quoted'

  # Added by `pipeline migrate` (docs/migration.md): hybrid settings.
  dspy_config:
    optimization_enabled: false
    evaluation_mode: bootstrap_few_shot
    fallback_strategy: traditional
  hybrid_config:
    intelligent_routing: false
    ab_testing_enabled: false
    performance_threshold: 0.1
    fallback_enabled: true
  # the steps
  steps:
    - name: review
      type: claude
      # Added by `pipeline migrate`: the prompt as a DSPy signature.
      signature:
        instructions: "Review this:\n`code`"
        input_fields:
          - {name: "code", type: "str", description: "the contents of the file code.py"}
        output_fields:
          - {name: "answer", type: "str"}
      prompt:
        - type: static
          content: "Review this:"
        - type: file
          path: code.py
    - name: hello
      type: gemini
      prompt: [{type: static, content: hi}]
    - {name: flow, type: claude, prompt: [{type: file, path: a}, {type: file, path: b}]}
)";
  EXPECT_EQ(r->text, expected);
  YAML::Node parsed = YAML::Load(r->text);
  EXPECT_EQ(
      parsed["workflow"]["steps"][0]["signature"]["input_fields"][0]["name"].as<std::string>(),
      "code");
}

TEST(WorkflowMigration, OptionsSetOptimizationAndOptimizer) {
  MigrationOptions o;
  o.enable_optimization = true;
  o.optimizer = "mipro_v2";
  auto r = migrate_workflow_text(kWorkflow, o);
  ASSERT_TRUE(r);
  EXPECT_NE(r->text.find("    optimization_enabled: true\n    evaluation_mode: mipro_v2\n"),
            std::string::npos);
}

TEST(WorkflowMigration, ExistingSectionsAreKeptAndNoted) {
  auto r = migrate_workflow_text(
      "workflow:\n  name: x\n  dspy_config:\n    optimization_enabled: true\n  steps:\n    - name: "
      "a\n      type: claude\n      prompt: \"{{inputs.q}}\"\n",
      {});
  ASSERT_TRUE(r);
  EXPECT_NE(r->text.find("  hybrid_config:\n"), std::string::npos);
  EXPECT_EQ(r->text.find("evaluation_mode"), std::string::npos);
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("dspy_config"), std::string::npos);
}

TEST(WorkflowMigration, CrlfFileStaysCrlf) {
  auto r = migrate_workflow_text(
      "workflow:\r\n  name: x\r\n  steps:\r\n    - name: a\r\n      type: claude\r\n      prompt: "
      "\"{{inputs.q}}\"\r\n",
      {});
  ASSERT_TRUE(r);
  for (std::size_t i = 0; i < r->text.size(); ++i) {
    if (r->text[i] == '\n') {
      ASSERT_TRUE(i > 0 && r->text[i - 1] == '\r') << "at byte " << i;
    }
  }
  EXPECT_EQ(YAML::Load(r->text)["workflow"]["steps"][0]["signature"]["input_fields"][0]["template"]
                .as<std::string>(),
            "{{inputs.q}}");
}

TEST(WorkflowMigration, DashLineTypeKeyGetsTheMapsIndentation) {
  auto r = migrate_workflow_text(
      "workflow:\n  name: x\n  steps:\n  - type: claude\n    name: a\n    prompt: "
      "\"{{inputs.q}}\"\n",
      {});
  ASSERT_TRUE(r);
  EXPECT_NE(r->text.find("  - type: claude\n    # Added by `pipeline migrate`: the prompt as a "
                         "DSPy signature.\n    signature:\n"),
            std::string::npos)
      << r->text;
  EXPECT_TRUE(YAML::Load(r->text)["workflow"]["steps"][0]["signature"]);
}

TEST(WorkflowMigration, BadInputNamesThePlace) {
  auto bad = migrate_workflow_text("workflow: [\n", {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("not valid YAML"), std::string::npos);
  auto none = migrate_workflow_text("pipeline:\n  steps: []\n", {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().message(), "1:1: expected a top-level 'workflow:' map");
  auto flow = migrate_workflow_text("workflow: {name: x, steps: []}\n", {});
  ASSERT_FALSE(flow);
  EXPECT_NE(flow.status().message().find("flow style"), std::string::npos);
}

}  // namespace
}  // namespace pipeline::migrate
