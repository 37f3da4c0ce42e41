// End to end: `pipeline program show` and `pipeline render` on the built binary, offline.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

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
                                 {"XDG_DATA_HOME", (dir_ / "data").string()},
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

// A host config whose mock provider answers in DSPy's formats, and a program for qa.yaml's step.
class DspyRunTest : public DspyCliTest {
 protected:
  void SetUp() override {
    DspyCliTest::SetUp();
    host_ = write("host.yaml", R"(providers:
  mock:
    plugin: mock
    replies:
      - match: "capital of France(.|\n)*Respond with the corresponding"
        reply: "[[ ## answer ## ]]\nParis\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## completed ## ]]"
      - match: "capital of Spain(.|\n)*Respond with the corresponding"
        reply: "I think it is Madrid."
      - match: "capital of Spain(.|\n)*Respond with a JSON object"
        reply: "{\"answer\": \"Madrid\", \"confidence\": 0.8}"
      - match: "Respond with"
        reply: "no idea"
step_providers:
  default: mock
)");
    program_ = write(
        "prog.json",
        R"({"answer": {"traces": [], "train": [], "demos": [{"question": "1+1?", "context": "math",
      "answer": "2", "confidence": 1.0}], "signature": {"instructions": "Answer precisely.", "fields": [
      {"prefix": "Question:", "description": "${question}"}, {"prefix": "Context:", "description": "${context}"},
      {"prefix": "Answer:", "description": "${answer}"}, {"prefix": "Confidence:", "description": "${confidence}"}]},
      "lm": null}, "metadata": {"dependency_versions": {"dspy": "3.3.1"}}})");
    workflow_ = write("wf.yaml", R"(workflow:
  name: w
  steps:
    - name: answer
      type: claude
      prompt:
        - {type: static, content: "{{inputs.question}}"}
      signature:
        input_fields:
          - {name: question, template: "{{inputs.question}}"}
          - {name: context, template: "{{inputs.context}}"}
        output_fields:
          - {name: answer}
          - {name: confidence, type: float}
    - name: after
      type: claude
      prompt:
        - {type: previous_response, step: answer}
)");
  }
  json::value run(const std::string& question, std::vector<std::string> extra = {},
                  int* exit_code = nullptr) {
    std::vector<std::string> args = {
        "run",    workflow_.string(),     "-c",        host_.string(),
        "--mode", "dspy_optimized",       "--program", "answer=" + program_.string(),
        "--set",  "question=" + question, "--set",     "context=Europe",
        "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = pipeline(args);
    if (exit_code) *exit_code = r.exit_code;
    auto doc = parse_json(r.out);
    EXPECT_TRUE(doc) << r.out << r.err;
    return doc ? *doc : json::value();
  }
  fs::path host_, program_, workflow_;
};

TEST_F(DspyRunTest, ProgramStepParsesTypedOutputsAndTextFeedsTheNextStep) {
  int code = -1;
  auto doc = run("What is the capital of France?", {}, &code);
  ASSERT_EQ(code, 0) << serialize(doc);
  const auto& a = doc.at("results").at("answer");
  EXPECT_EQ(a.at("text"), "Paris");
  EXPECT_EQ(a.at("outputs").at("confidence"), 0.9);
  EXPECT_EQ(a.at("mode"), "dspy_optimized");
  EXPECT_EQ(a.at("adapter"), "ChatAdapter");
  EXPECT_EQ(a.at("lm_calls"), 1);
  EXPECT_THAT(std::string(a.at("program").as_string()), HasSubstr("prog.json:answer@"));
  EXPECT_EQ(doc.at("results").at("after").at("text"), "Mock response to: Paris");
  EXPECT_EQ(doc.at("totals").at("llm_calls"), 2);
}

TEST_F(DspyRunTest, UnparsableChatReplyFallsBackToOneJsonAdapterCall) {
  int code = -1;
  auto doc = run("What is the capital of Spain?", {}, &code);
  ASSERT_EQ(code, 0) << serialize(doc);
  const auto& a = doc.at("results").at("answer");
  EXPECT_EQ(a.at("adapter"), "JSONAdapter");
  EXPECT_EQ(a.at("lm_calls"), 2);
  EXPECT_EQ(a.at("outputs").at("answer"), "Madrid");
}

TEST_F(DspyRunTest, ParseFailureFailsTheStepWithATypedErrorCarryingTheRawReply) {
  int code = -1;
  auto doc = run("Where?", {}, &code);
  EXPECT_EQ(code, 1);
  const auto& a = doc.at("results").at("answer");
  EXPECT_EQ(a.at("success"), false);
  EXPECT_EQ(a.at("error").at("type"), "adapter_parse_error");
  EXPECT_EQ(a.at("error").at("raw_reply"), "no idea");
  EXPECT_THAT(std::string(doc.at("error").at("message").as_string()),
              HasSubstr("adapter_parse_error"));
}

TEST_F(DspyRunTest, AdapterFallbackFalseMakesOneCall) {
  std::string text =
      std::string((std::istreambuf_iterator<char>(std::ifstream(workflow_).rdbuf())), {});
  text.replace(text.find("      signature:"), 0, "      adapter_fallback: false\n");
  std::ofstream(workflow_) << text;
  int code = -1;
  auto doc = run("What is the capital of Spain?", {}, &code);
  EXPECT_EQ(code, 1);
  const auto& a = doc.at("results").at("answer");
  EXPECT_EQ(a.at("lm_calls"), 1);
  EXPECT_EQ(a.at("error").at("adapter"), "ChatAdapter");
  EXPECT_EQ(a.at("error").at("raw_reply"), "I think it is Madrid.");
}

TEST_F(DspyRunTest, BadProgramArgumentsAreRefusedWithExit2) {
  // No program at all is DSPy unavailable: the steps fall back to running as written, and the
  // run says how to give them one.
  auto no_program =
      pipeline({"run", workflow_.string(), "-c", host_.string(), "--mode", "dspy_optimized"});
  EXPECT_THAT(no_program.err, HasSubstr("--program STEP=FILE[:PREDICTOR]"));
  EXPECT_THAT(no_program.err,
              HasSubstr("fallback dspy_optimized -> traditional (dspy_unavailable)"));
  auto bad_step = pipeline({"run", workflow_.string(), "-c", host_.string(), "--mode",
                            "dspy_optimized", "--program", "nope=" + program_.string()});
  EXPECT_EQ(bad_step.exit_code, 2);
  EXPECT_THAT(bad_step.err, HasSubstr("no step 'nope'"));
  auto react = pipeline({"run", workflow_.string(), "-c", host_.string(), "--mode",
                         "dspy_optimized", "--program", "answer=" + kReact + ":react"});
  EXPECT_EQ(react.exit_code, 2);
  EXPECT_THAT(react.err, HasSubstr("not runnable"));
}

class DspyEvaluateTest : public DspyCliTest {
 protected:
  json::value evaluate(std::vector<std::string> extra, int* exit_code = nullptr,
                       std::string* err = nullptr) {
    std::vector<std::string> args = {"evaluate", "examples/dspy/qa.yaml",
                                     "--step",   "answer",
                                     "-c",       "examples/dspy/host-mock-dspy.yaml",
                                     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = pipeline(args);
    if (exit_code) *exit_code = r.exit_code;
    if (err) *err = r.err;
    auto doc = parse_json(r.out);
    EXPECT_TRUE(doc) << r.out << r.err;
    return doc ? *doc : json::value();
  }
};

TEST_F(DspyEvaluateTest, DspyOptimizedJsonDocumentHasTheIssuesMembers) {
  int code = -1;
  auto doc = evaluate({"--data", "examples/dspy/qa_dev.jsonl", "--mode", "dspy_optimized"}, &code);
  ASSERT_EQ(code, 0) << serialize(doc);
  for (const char* k : {"score", "ci95", "examples", "errors", "lm_calls", "cache_hits",
                        "input_tokens", "output_tokens", "cost_usd", "wall_ms", "results"})
    EXPECT_TRUE(doc.as_object().contains(k)) << k;
  EXPECT_EQ(doc.at("score"), 0.75);
  EXPECT_EQ(doc.at("examples"), 4);
  EXPECT_EQ(doc.at("errors"), 0);
  EXPECT_EQ(doc.at("lm_calls"), 5);  // Spain's reply needs DSPy's JSON fallback
  const auto& ci = doc.at("ci95").as_array();
  EXPECT_LE(ci[0].as_double(), 0.75);
  EXPECT_GE(ci[1].as_double(), 0.75);
  const auto& results = doc.at("results").as_array();
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[3].at("predicted").at("answer"), "Bonn");
  EXPECT_EQ(results[3].at("score"), 0.0);
  EXPECT_EQ(results[3].at("expected").at("answer"), "Berlin");
  EXPECT_EQ(results[0].at("line"), 1);
}

TEST_F(DspyEvaluateTest, TraditionalModeRunsTheStepsPromptOverInlineExamples) {
  int code = -1;
  auto doc = evaluate({}, &code);
  ASSERT_EQ(code, 0) << serialize(doc);
  EXPECT_EQ(doc.at("examples"), 3);
  EXPECT_NEAR(doc.at("score").as_double(), 2.0 / 3.0, 1e-9);
  EXPECT_EQ(doc.at("results").at(0).at("predicted").at("answer"), "Paris");
}

TEST_F(DspyEvaluateTest, ReportsAsCsvAndJsonAndTheSummaryTable) {
  auto csv = dir_ / "r.csv";
  auto r = pipeline({"evaluate", "examples/dspy/qa.yaml", "--step", "answer", "-c",
                     "examples/dspy/host-mock-dspy.yaml", "--data", "examples/dspy/qa_dev.jsonl",
                     "--mode", "dspy_optimized", "--metric", "f1:answer", "--report", csv.string(),
                     "--concurrency", "2", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("metric f1:answer"));
  EXPECT_THAT(r.out, HasSubstr("score       0.750  (95% CI"));
  EXPECT_THAT(r.out, HasSubstr("lm calls    5"));
  EXPECT_EQ(r.err, "");
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header,
            "index,score,latency_ms,cost_usd,cached,error,feedback,inputs,expected,predicted");
  int lines = 0;
  for (std::string l; std::getline(in, l);) ++lines;
  EXPECT_EQ(lines, 4);
  auto js = dir_ / "r.json";
  auto rj = pipeline({"evaluate", "examples/dspy/qa.yaml", "--step", "answer", "-c",
                      "examples/dspy/host-mock-dspy.yaml", "--report", js.string(), "--quiet"});
  ASSERT_EQ(rj.exit_code, 0) << rj.err;
  std::ifstream jin(js);
  auto doc = parse_json(std::string((std::istreambuf_iterator<char>(jin)), {}));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("results").as_array().size(), 3u);
}

TEST_F(DspyEvaluateTest, BadRowsAreRefusedWithExit2UnlessSkipped) {
  auto data = write("d.jsonl",
                    "{\"question\": \"What is the capital of France?\", \"context\": \"E\", "
                    "\"answer\": \"Paris\"}\n"
                    "{\"question\": \"no answer\", \"context\": \"E\"}\n");
  int code = -1;
  std::string err;
  evaluate({"--data", data.string(), "--mode", "dspy_optimized"}, &code, &err);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr(data.string() +
                             ":2: no expected value for any output field (answer, confidence)"));
  auto doc = evaluate({"--data", data.string(), "--mode", "dspy_optimized", "--skip-bad-rows"},
                      &code, &err);
  EXPECT_EQ(code, 0) << err;
  EXPECT_EQ(doc.at("examples"), 1);
  EXPECT_EQ(doc.at("score"), 1.0);
}

TEST_F(DspyEvaluateTest, BadArgumentsAreExit2) {
  int code = -1;
  evaluate({"--concurrency", "0"}, &code);
  EXPECT_EQ(code, 2);
  evaluate({"--metric", "nope"}, &code);
  EXPECT_EQ(code, 2);
  evaluate({"--data", "missing.jsonl"}, &code);
  EXPECT_EQ(code, 2);
}

TEST_F(DspyEvaluateTest, CtrlCStopsAndKeepsThePartialReport) {
  auto host = write(
      "slow.yaml",
      "providers:\n  mock: {plugin: mock, latency_ms: 150}\nstep_providers:\n  default: mock\n");
  std::string rows;
  for (int i = 0; i < 40; ++i)
    rows +=
        "{\"question\": \"q" + std::to_string(i) + "\", \"context\": \"c\", \"answer\": \"a\"}\n";
  auto data = write("d.jsonl", rows);
  auto report = dir_ / "partial.json";
  std::vector<std::string> args = {PIPELINE_BINARY,
                                   "evaluate",
                                   "examples/dspy/qa.yaml",
                                   "--step",
                                   "answer",
                                   "-c",
                                   host.string(),
                                   "--data",
                                   data.string(),
                                   "--mode",
                                   "dspy_optimized",
                                   "--concurrency",
                                   "1",
                                   "--cache",
                                   "off",
                                   "--report",
                                   report.string(),
                                   "--quiet"};
  pid_t pid = fork();
  if (pid == 0) {
    ::setenv("PIPELINE_CONFIG", "", 1);
    ::setenv("XDG_CONFIG_HOME", dir_.c_str(), 1);
    ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
    ::setenv("XDG_DATA_HOME", (dir_ / "data").c_str(), 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (chdir(PIPELINE_SOURCE_DIR) != 0) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(report);
  auto doc = parse_json(std::string((std::istreambuf_iterator<char>(in)), {}));
  ASSERT_TRUE(doc) << "no partial report";
  auto n = doc->at("results").as_array().size();
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, 40u);
  EXPECT_EQ(doc->at("examples"), n);
}

}  // namespace
}  // namespace pipeline
