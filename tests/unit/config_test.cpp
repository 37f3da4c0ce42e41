// Config loading and validation: every problem at once, each with file:line:col, what was
// expected and what was found.
#include "workflow_harness.hpp"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipeline {
namespace {

using ::testing::HasSubstr;
using testing::load;

std::vector<std::string> errors(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& i : d.items()) {
    if (i.severity == Diagnostic::Severity::kError) out.push_back(i.to_string());
  }
  return out;
}

std::vector<std::string> warnings(const Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& i : d.items()) {
    if (i.severity == Diagnostic::Severity::kWarning) out.push_back(i.to_string());
  }
  return out;
}

TEST(ConfigValidation, MalformedYamlReportsLineAndColumn) {
  auto l = load("workflow:\n  name: x\n  steps: [\n    - name: a\n");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], ::testing::StartsWith("test.yaml:4:"));
  EXPECT_THAT(e[0], HasSubstr("YAML syntax"));
  EXPECT_FALSE(l->workflow);
}

TEST(ConfigValidation, MissingWorkflowRootNamesWhatWasFound) {
  auto l = load("pipeline:\n  name: x\nsteps: []\n");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("test.yaml:1:1"));
  EXPECT_THAT(e[0], HasSubstr("expected a top-level 'workflow:'"));
  EXPECT_THAT(e[0], HasSubstr("pipeline, steps"));
}

TEST(ConfigValidation, UnknownStepTypeListsTheKnownOnes) {
  auto l = load(R"(workflow:
  name: w
  steps:
    - name: a
      type: clade
      prompt: [{type: static, content: hi}]
)");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("test.yaml:5:7"));
  EXPECT_THAT(e[0], HasSubstr("unknown step type 'clade'"));
  EXPECT_THAT(e[0], HasSubstr("known: "));
  EXPECT_THAT(e[0], HasSubstr("claude"));
  EXPECT_THAT(e[0], HasSubstr("set_variable"));
}

TEST(ConfigValidation, MissingRequiredFieldsAreEachReported) {
  auto l = load(R"(workflow:
  steps:
    - type: claude
      prompt: [{type: static, content: hi}]
    - name: b
    - name: c
      type: gemini
      prompt:
        - type: static
        - type: file
        - type: previous_response
)");
  auto e = errors(l->diags);
  std::string all;
  for (const auto& s : e) all += s + "\n";
  EXPECT_THAT(all, HasSubstr("workflow: missing 'name'"));
  EXPECT_THAT(all, HasSubstr("test.yaml:3:7: error: step: missing 'name'"));
  EXPECT_THAT(all, HasSubstr("test.yaml:5:7: error: step 'b': missing 'type'"));
  EXPECT_THAT(all,
              HasSubstr("test.yaml:9:11: error: step 'c': prompt[0] (static): missing 'content'"));
  EXPECT_THAT(all, HasSubstr("test.yaml:10:11: error: step 'c': prompt[1] (file): missing 'path'"));
  EXPECT_THAT(all, HasSubstr("prompt[2] (previous_response): missing 'step'"));
  EXPECT_EQ(e.size(), 6u) << all;
}

TEST(ConfigValidation, PreviousResponseToMissingStepAndUnknownTypeReportedInOneRun) {
  auto l = load(R"(workflow:
  name: w
  steps:
    - name: first
      type: nonexistent_type
    - name: second
      type: claude
      prompt:
        - type: previous_response
          step: frist
    - name: third
      type: claude
      prompt:
        - type: previous_response
          step: fourth
    - name: fourth
      type: claude
      prompt: [{type: static, content: x}]
)");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 3u) << l->diags.format();
  EXPECT_THAT(e[0], HasSubstr("unknown step type 'nonexistent_type'"));
  EXPECT_THAT(e[1], HasSubstr("test.yaml:9:11"));
  EXPECT_THAT(e[1], HasSubstr("names step 'frist', which does not exist"));
  EXPECT_THAT(e[1], HasSubstr("steps before this one: first"));
  EXPECT_THAT(e[2], HasSubstr("names step 'fourth', which runs later"));
}

TEST(ConfigValidation, DuplicateStepNamesPointAtTheFirst) {
  auto l = load(R"(workflow:
  name: w
  steps:
    - name: a
      type: set_variable
      variables: {x: 1}
    - name: a
      type: set_variable
      variables: {x: 2}
)");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("test.yaml:7:7"));
  EXPECT_THAT(e[0], HasSubstr("defined twice (first at test.yaml:4:7)"));
}

TEST(ConfigValidation, PluginValidationNamesTheField) {
  auto l = load(R"(workflow:
  name: w
  steps:
    - name: a
      type: set_variable
      variables: [1, 2]
)");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("test.yaml:6:7"));
  EXPECT_THAT(e[0], HasSubstr("field 'variables'"));
  EXPECT_THAT(e[0], HasSubstr("must be a map"));
}

TEST(ConfigValidation, BadConditionAndBadPlaceholderAreErrors) {
  auto l = load(R"(workflow:
  name: w
  steps:
    - name: a
      type: claude
      condition: "steps.x.y >"
      prompt: [{type: static, content: "hi {{ 1 + }}"}]
)");
  auto e = errors(l->diags);
  ASSERT_EQ(e.size(), 2u) << l->diags.format();
  EXPECT_THAT(e[0], HasSubstr("test.yaml:6:7"));
  EXPECT_THAT(e[0], HasSubstr("condition 'steps.x.y >'"));
  EXPECT_THAT(e[1], HasSubstr("in {{1 +}}"));
}

TEST(ConfigValidation, StringPromptAndUnsupportedKeysAreWarnings) {
  auto l = load(R"(workflow:
  name: w
  hooks: {pre: []}
  mystery: 1
  steps:
    - name: a
      type: claude
      prompt: "hello"
)");
  EXPECT_FALSE(l->diags.has_errors()) << l->diags.format();
  auto w = warnings(l->diags);
  ASSERT_EQ(w.size(), 3u) << l->diags.format();
  std::string all = w[0] + w[1] + w[2];
  EXPECT_THAT(all, HasSubstr("test.yaml:3:3: warning: workflow.hooks is not supported"));
  EXPECT_THAT(all, HasSubstr("test.yaml:4:3: warning: unknown workflow key 'mystery'"));
  EXPECT_THAT(all, HasSubstr("test.yaml:8:15: warning: step 'a': prompt is a plain string"));
  ASSERT_EQ(l->workflow->steps[0].prompt.size(), 1u);
}

TEST(ConfigValidation, YamlScalarsKeepTheirTypes) {
  Diagnostics d;
  auto n = load_yaml_string("a: 1\nb: '1'\nc: 2.5\nd: true\ne: ~\nf: 1.0.0\ng: \"true\"\n", "t", d);
  ASSERT_TRUE(n);
  json::value v = yaml_to_json(*n);
  EXPECT_EQ(json::serialize(v),
            R"({"a":1,"b":"1","c":2.5E0,"d":true,"e":null,"f":"1.0.0","g":"true"})");
}

TEST(HostConfigValidation, WiringToUndeclaredProviderIsAnError) {
  Diagnostics d;
  auto n = load_yaml_string(R"(providers:
  claude: {plugin: anthropic, api_key_env: ANTHROPIC_API_KEY}
  broken: {model: x}
step_providers:
  claude: claude
  gemini: gemni
colour: blue
)",
                            "host.yaml", d);
  ASSERT_TRUE(n);
  HostConfig cfg = HostConfig::builtin();
  apply_host_config(*n, "host.yaml", cfg, d);
  auto e = errors(d);
  ASSERT_EQ(e.size(), 2u) << d.format();
  EXPECT_THAT(e[0], HasSubstr("host.yaml:3:3: error: providers.broken: missing 'plugin'"));
  EXPECT_THAT(e[1], HasSubstr("host.yaml:6:3"));
  EXPECT_THAT(e[1], HasSubstr("names provider 'gemni', which is not declared"));
  EXPECT_THAT(warnings(d).at(0), HasSubstr("unknown host config key 'colour'"));
  EXPECT_EQ(cfg.provider_for("claude"), "claude");
  EXPECT_EQ(cfg.provider_for("anything_else"), "mock");
}

TEST(HostConfigValidation, ProviderPluginThatIsNotLoadedIsAnError) {
  HostConfig cfg = testing::test_host_config();
  cfg.providers["fast"] = {"fast", "turbo", {}, {"host.yaml", 2, 3}};
  cfg.step_providers["claude"] = "fast";
  Diagnostics d;
  auto rt = Runtime::create(cfg, d);
  auto e = errors(d);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("host.yaml:2:3: error: providers.fast: no provider plugin 'turbo'"));
  EXPECT_THAT(e[0], HasSubstr("loaded providers: mock"));
}

TEST(HostConfigValidation, TestModeMockRewiresEveryStepType) {
  HostConfig cfg = HostConfig::builtin();
  cfg.providers["claude"] = {"claude", "anthropic", {}, {}};
  cfg.step_providers["claude"] = "claude";
  force_mock_providers(cfg);
  EXPECT_EQ(cfg.provider_for("claude"), "mock");
  EXPECT_EQ(cfg.provider_for("gemini"), "mock");
}

TEST(ConfigValidation, MisspelledStepKeysSuggestTheKnownKeyEvenInsideLoops) {
  auto l = load(R"(workflow:
  name: typos
  steps:
    - name: a
      type: claude
      promt: [{type: static, content: "x"}]
      prompt: [{type: static, content: "hi"}]
    - name: loop
      type: for_loop
      iterator: it
      data_source: [1]
      steps:
        - name: inner
          type: set_variable
          varibles: {v: 1}
          variables: {v: 2}
)");
  auto w = warnings(l->diags);
  auto has = [&](const std::string& text) {
    return std::any_of(w.begin(), w.end(),
                       [&](const std::string& s) { return s.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(
      has("test.yaml:6:7: warning: step 'a': unknown key 'promt' for a claude step "
          "(ignored); did you mean 'prompt'?"));
  EXPECT_TRUE(has("test.yaml:15:11: warning: step 'inner': unknown key 'varibles'"));
  EXPECT_TRUE(has("did you mean 'variables'?"));
}

TEST(ConfigValidation, StrictTurnsWarningsIntoErrors) {
  auto l = load(
      "workflow:\n  name: s\n  steps:\n    - {name: a, type: set_variable, "
      "variables: {v: 1}, condtion: x}\n");
  EXPECT_FALSE(l->diags.has_errors());
  l->diags.promote_warnings();
  ASSERT_FALSE(errors(l->diags).empty());
  EXPECT_THAT(errors(l->diags)[0], HasSubstr("an error under --strict"));
}

TEST(ConfigValidation, FilePartWithAnEmptyPathIsAnError) {
  auto l = load(
      "workflow:\n  name: f\n  steps:\n    - name: a\n      type: claude\n"
      "      prompt: [{type: file, path: \"\"}]\n");
  auto e = errors(l->diags);
  ASSERT_FALSE(e.empty());
  EXPECT_THAT(e[0], HasSubstr("(file): 'path' is empty"));
}

}  // namespace
}  // namespace pipeline
