// End to end: `pipeline program show` and `pipeline render` on the built binary, offline.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProcessResult;

const std::string kReact = "tests/dspy/fixtures/saved_program_react.json";

class DspyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-dspy-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  ProcessResult pipeline(std::vector<std::string> args) {
    args.insert(args.begin(), PIPELINE_BINARY);
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  fs::path write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p;
  }
  fs::path dir_;
};

TEST_F(DspyCliTest, ProgramShowListsPredictorsAndMarksReactNotRunnable) {
  auto r = pipeline({"program", "show", kReact});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2 predictor(s)"));
  EXPECT_THAT(r.out, HasSubstr("react  [not runnable: a ReAct tool loop"));
  EXPECT_THAT(
      r.out,
      HasSubstr(
          "extract.predict\n  fields (4): Question:, Trajectory:, Reasoning: Let's think step by "
          "step in order to, Answer:\n  demos: 2\n  instructions:\n    Given the very verbose"));
}

TEST_F(DspyCliTest, ProgramShowJson) {
  auto r = pipeline({"program", "show", kReact, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& preds = doc->at("predictors").as_array();
  ASSERT_EQ(preds.size(), 2u);
  EXPECT_EQ(preds[0].at("name"), "react");
  EXPECT_EQ(preds[0].at("runnable"), false);
  EXPECT_EQ(preds[1].at("demos"), 2);
  EXPECT_EQ(preds[1].at("fields").as_array().size(), 4u);
}

TEST_F(DspyCliTest, ProgramShowRefusesABrokenFileWithExit2) {
  auto f = write("bad.json", R"({"p": {"signature": 3}})");
  auto r = pipeline({"program", "show", f.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("predictor 'p': missing `signature` object"));
}

TEST_F(DspyCliTest, RenderPrintsTheExactChatMessages) {
  auto r = pipeline({"render", "examples/dspy/qa.yaml", "--step", "answer", "--set",
                     "question=What is 2+2?", "--set", "context=Arithmetic", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& ms = doc->at("messages").as_array();
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].at("role"), "system");
  EXPECT_EQ(ms[0].at("content"),
            "Your input fields are:\n1. `question` (str): \n2. `context` (str): Facts that may "
            "help\nYour output "
            "fields are:\n1. `answer` (str): \n2. `confidence` (float): How sure you are, from 0 "
            "to 1\nAll "
            "interactions will be structured in the following way, with the appropriate values "
            "filled in.\n\n[[ ## "
            "question ## ]]\n{question}\n\n[[ ## context ## ]]\n{context}\n\n[[ ## answer ## "
            "]]\n{answer}\n\n[[ ## "
            "confidence ## ]]\n{confidence}        # note: the value you produce must be a single "
            "float value\n\n[[ "
            "## completed ## ]]\nIn adhering to this structure, your objective is: \n        "
            "Answer the question "
            "using the context.");
  EXPECT_EQ(
      ms[1].at("content"),
      "[[ ## question ## ]]\nWhat is 2+2?\n\n[[ ## context ## ]]\nArithmetic\n\nRespond with the "
      "corresponding output fields, starting with the field `[[ ## answer ## ]]`, then `[[ ## "
      "confidence ## "
      "]]` (must be formatted as a valid Python float), and then ending with the marker for `[[ ## "
      "completed ## ]]`.");
  EXPECT_EQ(doc->at("adapter"), "ChatAdapter");
  EXPECT_EQ(doc->at("signature_hash").as_string().size(), 64u);
}

TEST_F(DspyCliTest, RenderJsonAdapterWithChainOfThoughtAndInputsFile) {
  auto inputs = write("in.json", R"({"question": "Q", "context": "C"})");
  auto r = pipeline({"render", "examples/dspy/qa.yaml", "--step", "answer", "--inputs",
                     inputs.string(), "--adapter", "json", "--cot", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("adapter"), "JSONAdapter");
  EXPECT_EQ(doc->at("chain_of_thought"), true);
  const auto& ms = doc->at("messages").as_array();
  EXPECT_THAT(std::string(ms[0].at("content").as_string()),
              HasSubstr("{\n  \"reasoning\": \"{reasoning}\",\n  \"answer\": \"{answer}\",\n"));
  EXPECT_THAT(std::string(ms[1].at("content").as_string()),
              HasSubstr("Respond with a JSON object in the following order of fields: `reasoning`, "
                        "then `answer`, "
                        "then `confidence` (must be formatted as a valid Python float)."));
  EXPECT_EQ(doc->at("request_options").at("response_format").at("type"), "json_object");
}

TEST_F(DspyCliTest, RenderWithDspysSavedProgramUsesItsInstructionsAndDemos) {
  auto r = pipeline({"render", "examples/dspy/react_extract.yaml", "--step", "extract", "--program",
                     kReact, "--set", "question=Who?", "--set", "trajectory=none", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("predictor"), "extract.predict");
  EXPECT_EQ(doc->at("demos"), 2);
  EXPECT_EQ(doc->at("chain_of_thought"), true);
  const auto& ms = doc->at("messages").as_array();
  ASSERT_EQ(ms.size(), 6u);
  EXPECT_THAT(std::string(ms[0].at("content").as_string()),
              HasSubstr("your objective is: \n        Given the very verbose fields `question`, "
                        "produce the fields "
                        "`answer`."));
  EXPECT_EQ(ms[5].at("content"),
            "[[ ## question ## ]]\nWho?\n\n[[ ## trajectory ## ]]\nnone\n\nRespond with the "
            "corresponding output "
            "fields, starting with the field `[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]`, "
            "and then ending "
            "with the marker for `[[ ## completed ## ]]`.");
}

TEST_F(DspyCliTest, RenderRefusesReactAndMismatchedPredictorsWithExit2) {
  auto react =
      pipeline({"render", "examples/dspy/react_extract.yaml", "--step", "extract", "--program",
                kReact, "--predictor", "react", "--set", "question=Q", "--set", "trajectory=T"});
  EXPECT_EQ(react.exit_code, 2);
  EXPECT_THAT(react.err, HasSubstr("predictor 'react' is not runnable here"));
  // qa.yaml's step has 4 fields like extract.predict; with --cot it has 5.
  auto mismatch = pipeline({"render", "examples/dspy/qa.yaml", "--step", "answer", "--program",
                            kReact, "--cot", "--set", "question=Q", "--set", "context=C"});
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_THAT(mismatch.err, HasSubstr("so the counts must match"));
}

TEST_F(DspyCliTest, RenderNamesAMissingInputAndABadSignature) {
  auto missing =
      pipeline({"render", "examples/dspy/qa.yaml", "--step", "answer", "--set", "question=Q"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("input 'context' has no value"));
  auto wf =
      write("bad.yaml",
            "workflow:\n  name: w\n  steps:\n    - name: s\n      type: claude\n      prompt: hi\n"
            "      signature:\n        output_fields:\n          - {name: a, type: strng}\n");
  auto bad = pipeline({"render", wf.string(), "--step", "s"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("bad.yaml:9:29: error: field 'a': invalid type 'strng'"));
}

TEST_F(DspyCliTest, RenderPlainTextShowsRolesAndContent) {
  auto r = pipeline({"render", "examples/dspy/qa.yaml", "--step", "answer", "--set", "question=Q",
                     "--set", "context=C"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("=== system ===\nYour input fields are:"));
  EXPECT_THAT(
      r.out,
      HasSubstr("=== user ===\n[[ ## question ## ]]\nQ\n\n[[ ## context ## ]]\nC\n\nRespond with"));
}

}  // namespace
}  // namespace pipeline
