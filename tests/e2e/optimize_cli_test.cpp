// End to end: `pipeline optimize` on the built binary, offline: the mock provider answers the
// ChatAdapter prompts of a ticket-triage step, the gepa plugin searches, fixture optimizers
// (tests/plugins/fixtures/optimizers_plugin.cpp) misbehave.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include <filesystem>
#include <fstream>
#include <set>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProcessResult;

constexpr const char* kWorkflow = R"(workflow:
  name: triage
  steps:
    - name: classify
      type: claude
      prompt: "Classify: {{inputs.ticket}}"
      signature:
        instructions: Classify the support ticket.
        input_fields:
          - {name: ticket, type: str}
        output_fields:
          - {name: label, type: str}
      metric: {type: exact_match, field: label}
)";

// Billing words get billing; everything else technical, so "invoice" tickets are wrong.
constexpr const char* kHost = R"(plugins:
  search_paths: [FIXTURES]
providers:
  mock:
    plugin: mock
    replies:
      - match: "(refund|charge)(.|\\n)*Respond with the corresponding"
        reply: "[[ ## label ## ]]\nbilling\n\n[[ ## completed ## ]]"
      - match: "Respond with the corresponding"
        reply: "[[ ## label ## ]]\ntechnical\n\n[[ ## completed ## ]]"
step_providers:
  default: mock
)";

class OptimizeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-optimize-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    workflow_ = write("wf.yaml", kWorkflow);
    std::string host = kHost;
    host.replace(host.find("FIXTURES"), 8, PIPELINE_BINARY_DIR "/tests/plugins/optimizers");
    host_ = write("host.yaml", host);
    std::string rows;
    const char* tickets[][2] = {
        {"I want a refund", "billing"},          {"the app crashes on start", "technical"},
        {"double charge on my card", "billing"}, {"cannot log in", "technical"},
        {"refund my order", "billing"},          {"the page is blank", "technical"},
        {"invoice is wrong", "billing"},         {"sync fails", "technical"},
        {"charge I do not know", "billing"},     {"button does nothing", "technical"}};
    for (const auto& t : tickets)
      rows += json::serialize(json::object{{"ticket", t[0]}, {"label", t[1]}}) + "\n";
    data_ = write("tickets.jsonl", rows);
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
  // `pipeline optimize` of the classify step; `data` empty: --data is the caller's.
  ProcessResult optimize(std::vector<std::string> extra, bool data = true,
                         const std::string& step = "classify") {
    std::vector<std::string> args = {"optimize", workflow_.string(), "--step", step,
                                     "-c",       host_.string()};
    if (data) args.insert(args.end(), {"--data", data_.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    return pipeline(args);
  }
  fs::path write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p;
  }
  const std::vector<std::string> gepa_ = {"--optimizer",         "gepa",    "--param",
                                          "max_metric_calls=24", "--param", "use_merge=false"};
  fs::path dir_, workflow_, host_, data_;
};

TEST_F(OptimizeCliTest, JsonPrintsExactlyTheIssuesDocumentAndTheProgramFileLoads) {
  auto out = dir_ / "program.json";
  std::vector<std::string> args = gepa_;
  args.insert(args.end(), {"--json", "-o", out.string()});
  auto r = optimize(args);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc && doc->is_object()) << r.out;
  std::set<std::string> keys;
  for (const auto& kv : doc->as_object()) keys.insert(std::string(kv.key()));
  EXPECT_EQ(keys,
            (std::set<std::string>{"program", "optimizer", "train_score", "val_score", "lm_calls",
                                   "cache_hits", "cost_usd", "wall_ms", "candidates"}));
  EXPECT_EQ(doc->at("optimizer"), "gepa");
  EXPECT_GT(doc->at("lm_calls").as_int64(), 0);
  EXPECT_FALSE(doc->at("candidates").as_array().empty());
  EXPECT_TRUE(doc->at("candidates").at(0).as_object().contains("score"));
  EXPECT_TRUE(doc->at("program").as_object().contains("self"));
  EXPECT_TRUE(doc->at("val_score").is_number()) << r.out;

  auto show = pipeline({"program", "show", out.string()});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("1 predictor(s)"));
  auto run = pipeline({"run", workflow_.string(), "-c", host_.string(), "--mode", "dspy_optimized",
                       "--program", "classify=" + out.string(), "--set", "ticket=please refund",
                       "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
}

TEST_F(OptimizeCliTest, ASecondIdenticalOptimizeAnswersFromTheCacheWithNoLmCalls) {
  std::vector<std::string> args = gepa_;
  args.push_back("--json");
  auto first = optimize(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto second = optimize(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("answered from the optimization cache"));
  auto a = parse_json(first.out), b = parse_json(second.out);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->at("lm_calls"), 0);
  EXPECT_EQ(serialize(a->at("program")), serialize(b->at("program")));
  EXPECT_EQ(a->at("val_score"), b->at("val_score"));
  // Another seed is another optimization.
  args.insert(args.end(), {"--seed", "1"});
  auto third = optimize(args);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, ::testing::Not(HasSubstr("answered from the optimization cache")));
}

TEST_F(OptimizeCliTest, RunInDspyOptimizedModeUsesTheCachedProgramOfTheStepsSignature) {
  auto none = pipeline({"run", workflow_.string(), "-c", host_.string(), "--mode", "dspy_optimized",
                        "--set", "ticket=please refund"});
  // No program yet: DSPy unavailable, the step runs as written and the run says what to do.
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_THAT(none.err, HasSubstr("run `pipeline optimize` first"));
  ASSERT_EQ(optimize({"--optimizer", "fixture_program", "-q"}).exit_code, 0);
  auto r = pipeline({"run", workflow_.string(), "-c", host_.string(), "--mode", "dspy_optimized",
                     "--set", "ticket=please refund", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& step = doc->at("steps").at(0);
  EXPECT_EQ(step.at("record").at("program_source"), "cache");
  EXPECT_EQ(step.at("record").at("mode"), "dspy_optimized");
  EXPECT_THAT(r.out, HasSubstr(R"("program_source":"cache")"));
  EXPECT_THAT(r.out, HasSubstr(R"("text":"billing")"));
}

TEST_F(OptimizeCliTest, LazyOptimizationRunsTheStepAsWrittenThenTheNextRunUsesItsProgram) {
  std::string wf = kWorkflow;
  wf.replace(wf.find("  steps:"), 8,
             "  dspy_config: {optimizer: fixture_program, training_data_path: tickets.jsonl}\n"
             "  steps:");
  auto lazy_wf = write("lazy.yaml", wf);  // beside tickets.jsonl: the path is relative to it
  std::vector<std::string> run = {"run",    lazy_wf.string(), "-c",    host_.string(),
                                  "--mode", "dspy_optimized", "--set", "ticket=please refund",
                                  "--json"};
  auto first = pipeline(run);
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  auto doc = parse_json(first.out);
  ASSERT_TRUE(doc) << first.out;
  const auto& step = doc->at("steps").at(0).as_object();
  EXPECT_EQ(step.at("record").at("mode"), "dspy_optimized");
  EXPECT_EQ(step.at("record").at("variant"), "traditional");
  EXPECT_FALSE(step.at("record").as_object().contains("program_source"));
  const auto& note = doc->at("optimizations").at(0).as_object();
  EXPECT_EQ(note.at("step"), "classify");
  EXPECT_EQ(note.at("state"), "optimizing");
  EXPECT_EQ(note.at("optimizer"), "fixture_program");
  EXPECT_EQ(note.at("outcome"), "stored");

  auto second = pipeline(run);
  ASSERT_EQ(second.exit_code, 0) << second.err << second.out;
  auto again = parse_json(second.out);
  ASSERT_TRUE(again) << second.out;
  EXPECT_EQ(again->at("steps").at(0).at("record").at("program_source"), "cache");
  EXPECT_FALSE(again->as_object().contains("optimizations"));

  // Without lazy optimization the same workflow, uncached, is told what to do.
  const std::string named = "optimizer: fixture_program";
  wf.replace(wf.find(named), named.size(), named + ", lazy_optimization: false");
  write("lazy.yaml", wf);
  run = {"run",   lazy_wf.string(), "-c",      host_.string(), "--mode", "dspy_optimized",
         "--set", "ticket=x",       "--cache", "off"};
  auto off = pipeline(run);
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_THAT(off.err, HasSubstr("lazy_optimization is false: run `pipeline optimize` first"));
}

TEST_F(OptimizeCliTest, AFailedLazyOptimizationMakesTheNextRunFallBackAsOptimizationFailed) {
  std::string wf = kWorkflow;
  wf.replace(wf.find("  steps:"), 8,
             "  dspy_config: {optimizer: fixture_failing, training_data_path: tickets.jsonl}\n"
             "  steps:");
  auto failing_wf = write("failing.yaml", wf);
  std::vector<std::string> run = {"run",    failing_wf.string(), "-c",    host_.string(),
                                  "--mode", "dspy_optimized",    "--set", "ticket=please refund",
                                  "--json"};
  // The first run starts the optimization and runs the step as written meanwhile.
  auto first = pipeline(run);
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  auto doc = parse_json(first.out);
  ASSERT_TRUE(doc) << first.out;
  const auto& note = doc->at("optimizations").at(0).as_object();
  EXPECT_EQ(note.at("state"), "optimizing");
  EXPECT_EQ(note.at("optimizer"), "fixture_failing");

  // The next one finds the failure remembered: no new optimization, and the step falls back
  // from dspy_optimized to the prompt as written with the class optimization_failed.
  auto second = pipeline(run);
  ASSERT_EQ(second.exit_code, 0) << second.err << second.out;
  auto again = parse_json(second.out);
  ASSERT_TRUE(again) << second.out;
  const auto& rec = again->at("steps").at(0).at("record").as_object();
  EXPECT_EQ(rec.at("variant"), "traditional");
  ASSERT_TRUE(rec.contains("fallbacks")) << second.out;
  const auto& hop = rec.at("fallbacks").at(0).as_object();
  EXPECT_EQ(hop.at("from"), "dspy_optimized");
  EXPECT_EQ(hop.at("to"), "traditional");
  EXPECT_EQ(hop.at("class"), "optimization_failed");
  EXPECT_THAT(std::string(hop.at("message").as_string()), HasSubstr("the search exploded"));
  const auto& later = again->at("optimizations").at(0).as_object();
  EXPECT_EQ(later.at("state"), "unavailable");
  EXPECT_THAT(std::string(later.at("reason").as_string()),
              HasSubstr("optimization failed 1 time(s)"));
  EXPECT_EQ(again->at("success"), true) << "the step as written answered";
}

TEST_F(OptimizeCliTest, TheCallBudgetIsNeverExceeded) {
  auto r = optimize(
      {"--optimizer", "fixture_spender", "--budget-calls", "5", "--json", "--cache", "off"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("lm_calls"), 5);
  EXPECT_THAT(r.err, HasSubstr("the budget ended the search"));
}

TEST_F(OptimizeCliTest, CtrlCStopsTheOptimizerAndTheBestSoFarIsWrittenWithExitOne) {
  // A slow mock, so the spender is still spending when the signal comes.
  std::string host = std::string(kHost);
  host.replace(host.find("FIXTURES"), 8, PIPELINE_BINARY_DIR "/tests/plugins/optimizers");
  host.replace(host.find("    plugin: mock\n"), 17, "    plugin: mock\n    latency_ms: 20\n");
  auto slow = write("slow.yaml", host);
  auto out = dir_ / "best.json";
  std::vector<std::string> args = {PIPELINE_BINARY, "optimize",    workflow_.string(), "--step",
                                   "classify",      "-c",          slow.string(),      "--data",
                                   data_.string(),  "--optimizer", "fixture_spender",  "--cache",
                                   "off",           "-o",          out.string(),       "--quiet"};
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
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(out);
  auto doc = parse_json(std::string((std::istreambuf_iterator<char>(in)), {}));
  ASSERT_TRUE(doc) << "no program written";
  std::string instructions(doc->at("self").at("signature").at("instructions").as_string());
  EXPECT_THAT(instructions, HasSubstr("spent "));
}

TEST_F(OptimizeCliTest, AGarbageReturningOptimizerIsAClearError) {
  auto r = optimize({"--optimizer", "fixture_garbage"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err,
              HasSubstr("optimizer plugin 'fixture_garbage' returned text that is not JSON"));
  auto f = optimize({"--optimizer", "fixture_failing"});
  EXPECT_EQ(f.exit_code, 1);
  EXPECT_THAT(f.err, HasSubstr("the search exploded"));
}

TEST_F(OptimizeCliTest, BadInputExitsTwoNamingTheFlagOrTheFileAndLine) {
  auto missing = optimize({"--optimizer", "gepa", "--data", (dir_ / "nope.jsonl").string()}, false);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--data: "));
  auto bad = write("bad.jsonl", "{\"ticket\": \"a\", \"label\": \"billing\"}\n{\"ticket\": 3\n");
  auto rows = optimize({"--optimizer", "gepa", "--data", bad.string()}, false);
  EXPECT_EQ(rows.exit_code, 2);
  EXPECT_THAT(rows.err, HasSubstr("bad.jsonl:2"));
  auto param = optimize({"--optimizer", "gepa", "--param", "oops"});
  EXPECT_EQ(param.exit_code, 2);
  EXPECT_THAT(param.err, HasSubstr("--param 'oops': expected NAME=VALUE"));
  auto step = optimize({"--optimizer", "gepa"}, true, "nope");
  EXPECT_EQ(step.exit_code, 2);
  EXPECT_THAT(step.err, HasSubstr("no step 'nope'"));
  auto unknown = optimize({"--optimizer", "nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no optimizer plugin 'nope' is loaded"));
  auto budget = optimize({"--optimizer", "gepa", "--budget-calls", "-1"});
  EXPECT_EQ(budget.exit_code, 2);
  EXPECT_THAT(budget.err, HasSubstr("--budget-calls"));
  auto none = optimize({});  // several optimizers are loaded: which one?
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("loaded optimizers: "));
}

}  // namespace
}  // namespace pipeline
