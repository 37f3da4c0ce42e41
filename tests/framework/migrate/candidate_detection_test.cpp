#include <pipeline/migrate/candidate_detection.hpp>

#include <gtest/gtest.h>

namespace pipeline::migrate {
namespace {

StepDecision classify(const std::string& step_yaml, const std::string& workflow_yaml = "{}") {
  return classify_step(YAML::Load(step_yaml), YAML::Load(workflow_yaml));
}

TEST(CandidateDetection, SeveralPartsMakeACandidate) {
  auto d = classify(R"(
name: a
type: claude
prompt:
  - {type: static, content: "Review"}
  - {type: static, content: "the code"}
)");
  EXPECT_TRUE(d.candidate) << d.reason;
  EXPECT_EQ(d.reason, "its prompt has 2 parts");
  EXPECT_EQ(d.name, "a");
  EXPECT_EQ(d.type, "claude");
}

TEST(CandidateDetection, OneFileOrPreviousResponsePartMakesACandidate) {
  EXPECT_TRUE(classify("{name: a, type: gemini, prompt: [{type: file, path: x.md}]}").candidate ==
              false);  // a flow map is skipped, whatever its prompt
  auto d = classify("name: a\ntype: gemini\nprompt:\n  - type: previous_response\n    step: s\n");
  EXPECT_TRUE(d.candidate);
  EXPECT_EQ(d.reason, "its prompt has a previous_response part");
  auto f = classify("name: a\ntype: claude_smart\nprompt:\n  - type: file\n    path: x.md\n");
  EXPECT_TRUE(f.candidate);
  EXPECT_EQ(f.reason, "its prompt has a file part");
}

TEST(CandidateDetection, ShortStaticTextIsTrivialLongOneIsNot) {
  auto s = classify("name: a\ntype: claude\nprompt:\n  - type: static\n    content: Say hi\n");
  EXPECT_FALSE(s.candidate);
  EXPECT_NE(s.reason.find("one short static text"), std::string::npos) << s.reason;
  const std::string long_text(kMinStaticPromptChars, 'x');
  auto l = classify("name: a\ntype: claude\nprompt:\n  - type: static\n    content: " + long_text +
                    "\n");
  EXPECT_TRUE(l.candidate) << l.reason;
  auto r = classify("name: a\ntype: claude\nprompt: \"Hi {{inputs.who}}\"\n");
  EXPECT_TRUE(r.candidate);
  EXPECT_EQ(r.reason, "its prompt references values ({{...}})");
}

TEST(CandidateDetection, SessionAgentAndOtherTypesAreSkippedWithTheirReason) {
  EXPECT_NE(classify("name: a\ntype: claude_session\nprompt: [{type: file, path: x}]\n")
                .reason.find("a session step"),
            std::string::npos);
  EXPECT_NE(classify("name: a\ntype: set_variable\n").reason.find("not an optimizable"),
            std::string::npos);
  auto tools = classify(
      "name: a\ntype: claude\nclaude_options:\n  allowed_tools: [Read]\nprompt: [{type: file, "
      "path: x}]\n");
  EXPECT_FALSE(tools.candidate);
  EXPECT_NE(tools.reason.find("allowed_tools"), std::string::npos);
  auto no_tools = classify(
      "name: a\ntype: claude\nclaude_options:\n  allowed_tools: []\n  max_turns: 1\nprompt: "
      "[{type: file, path: x}]\n");
  EXPECT_TRUE(no_tools.candidate) << no_tools.reason;
  auto turns = classify(
      "name: a\ntype: claude\nclaude_options:\n  max_turns: 5\nprompt: [{type: file, path: x}]\n");
  EXPECT_NE(turns.reason.find("max_turns 5"), std::string::npos) << turns.reason;
  auto signed_step =
      classify("name: a\ntype: claude\nsignature: \"q -> a\"\nprompt: [{type: file, path: x}]\n");
  EXPECT_EQ(signed_step.reason, "already has a signature");
}

TEST(CandidateDetection, GeminiFunctionsMustBeOneKnownFunction) {
  const std::string wf = "gemini_functions: {f: {parameters: {type: object}}}";
  auto one =
      classify("name: a\ntype: gemini\nfunctions: [f]\nprompt: [{type: file, path: x}]\n", wf);
  EXPECT_TRUE(one.candidate) << one.reason;
  auto two =
      classify("name: a\ntype: gemini\nfunctions: [f, g]\nprompt: [{type: file, path: x}]\n", wf);
  EXPECT_NE(two.reason.find("one of 2 functions"), std::string::npos);
  auto unknown =
      classify("name: a\ntype: gemini\nfunctions: [g]\nprompt: [{type: file, path: x}]\n", wf);
  EXPECT_NE(unknown.reason.find("'g' is not defined"), std::string::npos);
}

TEST(CandidateDetection, PlaceIsTheStepsOneBasedLineAndColumn) {
  auto d =
      classify_step(YAML::Load("steps:\n  - name: a\n    type: x\n")["steps"][0], YAML::Node());
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 5);
}

}  // namespace
}  // namespace pipeline::migrate
