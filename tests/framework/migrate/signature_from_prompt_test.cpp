#include <pipeline/migrate/signature_from_prompt.hpp>

#include <gtest/gtest.h>

namespace pipeline::migrate {
namespace {

GeneratedSignature from(const std::string& step, const std::string& workflow = "{}") {
  return signature_from_prompt(YAML::Load(step), YAML::Load(workflow));
}

TEST(SignatureFromPrompt, ReferencesBecomeInputsWhoseTemplateIsWhatThePromptWrote) {
  auto s = from(R"(
type: claude
prompt:
  - type: static
    content: "Review {{ inputs.code }} for {{global_vars.lang}}; again {{ inputs.code }}"
)");
  ASSERT_EQ(s.inputs.size(), 2u);
  EXPECT_EQ(s.inputs[0].name, "code");
  EXPECT_EQ(s.inputs[0].value_template, "{{ inputs.code }}");
  EXPECT_EQ(s.inputs[1].name, "lang");
  EXPECT_EQ(s.inputs[1].value_template, "{{global_vars.lang}}");
  EXPECT_EQ(s.instructions, "Review `code` for `lang`; again `code`");
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.outputs[0].name, "answer");
}

TEST(SignatureFromPrompt, PreviousResponseOfAnLlmStepReadsItsText) {
  auto s = from(R"(
type: claude
prompt:
  - {type: static, content: "Summarize:"}
  - {type: previous_response, step: draft}
  - {type: previous_response, step: data, extract: items}
)",
                "steps: [{name: draft, type: gemini}, {name: data, type: claude}]");
  ASSERT_EQ(s.inputs.size(), 2u);
  EXPECT_EQ(s.inputs[0].name, "draft");
  EXPECT_EQ(s.inputs[0].value_template, "{{steps.draft.text}}");
  EXPECT_EQ(s.inputs[1].name, "data_items");
  EXPECT_EQ(s.inputs[1].value_template, "{{steps.data.items}}");
  EXPECT_EQ(s.instructions, "Summarize:\n`draft`\n`data_items`");
}

TEST(SignatureFromPrompt, FilePartIsAnInputNamedAfterTheFileWithANote) {
  auto s = from("type: claude\nprompt:\n  - {type: file, path: docs/Error-Log.txt}\n");
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].name, "error_log");
  EXPECT_TRUE(s.inputs[0].value_template.empty());
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("docs/Error-Log.txt"), std::string::npos);
}

TEST(SignatureFromPrompt, OutputsComeFromExtractionConfigOrTheOneFunction) {
  auto e = from(
      "type: claude_extract\nextraction_config: {format: json, post_processing: "
      "[generate_summary, extract_key_points]}\nprompt: [{type: file, path: a}]\n");
  ASSERT_EQ(e.outputs.size(), 3u);
  EXPECT_EQ(e.outputs[0].name, "extracted");
  EXPECT_EQ(e.outputs[0].type, "dict");
  EXPECT_EQ(e.outputs[1].name, "summary");
  EXPECT_EQ(e.outputs[2].type, "list[str]");
  auto g = from("type: gemini\nfunctions: [f]\nprompt: [{type: file, path: a}]\n",
                "gemini_functions: {f: {parameters: {type: object, properties: {score: {type: "
                "integer, description: How good}, tags: {type: array, items: {type: string}}}}}}");
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.outputs[0].name, "score");
  EXPECT_EQ(g.outputs[0].type, "int");
  EXPECT_EQ(g.outputs[0].description, "How good");
  EXPECT_EQ(g.outputs[1].type, "list[str]");
}

TEST(SignatureFromPrompt, AnInputNamedLikeAnOutputIsRenamed) {
  auto s = from("type: claude\nprompt: \"Q: {{inputs.answer}}\"\n");
  ASSERT_EQ(s.inputs.size(), 1u);
  EXPECT_EQ(s.inputs[0].name, "answer_2");
}

TEST(SignatureFromPrompt, YamlLinesQuoteEveryStringSoTheyParseBack) {
  GeneratedSignature s;
  s.instructions = "Line one: \"quoted\" # not a comment\n\tline two";
  s.inputs.push_back({"q", "str", "the q", "{{inputs.q}}"});
  s.outputs.push_back({"answer", "str", {}, {}});
  auto lines = signature_yaml_lines(s);
  std::string doc;
  for (const auto& l : lines) doc += l + "\n";
  YAML::Node n = YAML::Load(doc)["signature"];
  EXPECT_EQ(n["instructions"].as<std::string>(), s.instructions);
  EXPECT_EQ(n["input_fields"][0]["template"].as<std::string>(), "{{inputs.q}}");
  EXPECT_EQ(n["input_fields"][0]["description"].as<std::string>(), "the q");
  EXPECT_EQ(n["output_fields"][0]["name"].as<std::string>(), "answer");
  EXPECT_FALSE(n["output_fields"][0]["template"]);
}

}  // namespace
}  // namespace pipeline::migrate
