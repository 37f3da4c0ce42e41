// End to end: the built `pipeline` binary on the examples and on bad input, checking stdout,
// stderr, files and exit codes (0 ok, 1 a step failed, 2 bad input).
#include "process.hpp"

#include <mock_llm_server/mock_llm_server.hpp>

#include <pipeline/plugin.h>
#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs from the source tree so the examples' relative paths work; no user config, no keys.
  ProcessResult pipeline(std::vector<std::string> args,
                         std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), PIPELINE_BINARY);
    env.emplace("PIPELINE_CONFIG", "");
    env.emplace("XDG_CONFIG_HOME", dir_.string());
    env.emplace("XDG_CACHE_HOME", (dir_ / "cache").string());
    env.emplace("XDG_DATA_HOME", (dir_ / "data").string());
    env.emplace("TEST_MODE", "");
    return testing::run_process(args, env, PIPELINE_SOURCE_DIR);
  }
  // The same, killed after 60 s: a hang fails the test (exit 137) instead of stalling the suite.
  ProcessResult pipeline_bounded(std::vector<std::string> args,
                                 std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {"/usr/bin/timeout", "-s", "KILL", "60", PIPELINE_BINARY});
    env.emplace("PIPELINE_CONFIG", "");
    env.emplace("XDG_CONFIG_HOME", dir_.string());
    env.emplace("XDG_CACHE_HOME", (dir_ / "cache").string());
    env.emplace("XDG_DATA_HOME", (dir_ / "data").string());
    env.emplace("TEST_MODE", "");
    return testing::run_process(args, env, PIPELINE_SOURCE_DIR);
  }
  // Starts `pipeline args...` with stdout and stderr in files, waits until `marker` exists (a
  // file an early step writes, so the run is known to be under way), then sends `sig`.
  ProcessResult interrupt_when(std::vector<std::string> args, const fs::path& marker,
                               int sig = SIGINT) {
    args.insert(args.begin(), PIPELINE_BINARY);
    const std::string out = (dir_ / "stdout.txt").string(), err = (dir_ / "stderr.txt").string();
    pid_t pid = fork();
    if (pid == 0) {
      ::setenv("PIPELINE_CONFIG", "", 1);
      ::setenv("XDG_CONFIG_HOME", dir_.c_str(), 1);
      ::setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
      ::setenv("XDG_DATA_HOME", (dir_ / "data").c_str(), 1);
      ::unsetenv("TEST_MODE");
      int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(o, 1);
      dup2(e, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      if (chdir(PIPELINE_SOURCE_DIR) != 0) _exit(127);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!fs::exists(marker) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // The step after the marker has started (the marker is written when its step finishes).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(pid, sig);
    const auto signalled = std::chrono::steady_clock::now();
    int status = 0;
    waitpid(pid, &status, 0);
    ms_to_exit_after_signal_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - signalled)
                                   .count();
    ProcessResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }
  fs::path write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p;
  }
  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  fs::path dir_;
  std::int64_t ms_to_exit_after_signal_ = -1;  // set by interrupt_when
};

TEST_F(CliTest, VersionPrintsVersionAndAbi) {
  auto r = pipeline({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  // The ABI minor grows with the header (1.1: pipeline.program); the text follows plugin.h.
  EXPECT_THAT(r.out, HasSubstr("pipeline 0.1.0 (plugin ABI " + std::to_string(PL_ABI_MAJOR) + "." +
                               std::to_string(PL_ABI_MINOR) + ")"));
}

TEST_F(CliTest, HelloRunsOfflineOnTheBuiltInDefault) {
  auto r = pipeline({"run", "examples/hello.yaml", "--output-dir", dir_.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[ok] greet (claude"));
  EXPECT_THAT(r.err, HasSubstr("Completed: 3 completed, 0 skipped, 0 failed"));
  EXPECT_EQ(slurp(dir_ / "summary.txt"),
            "Mock response to: Summarize this greeting in three words: Mock response to: Write a "
            "friendly one-line greeting for new users.");
}

TEST_F(CliTest, JsonPrintsExactlyOneResultDocumentOnStdout) {
  auto r = pipeline({"run", "examples/hello.yaml", "--json", "--output-dir", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& o = doc->as_object();
  EXPECT_EQ(o.at("success"), json::value(true));
  EXPECT_EQ(o.at("exit_code"), json::value(0));
  EXPECT_EQ(o.at("steps").as_array().size(), 3u);
  EXPECT_EQ(o.at("results").at("set_tone").at("variables").at("tone"), json::value("friendly"));
  EXPECT_EQ(o.at("totals").at("llm_calls"), json::value(2));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("Running")));  // no progress noise with --json
}

TEST_F(CliTest, JsonShowsAnExecutionRecordPerStep) {
  auto r = pipeline({"run", "examples/hello.yaml", "--json", "--output-dir", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  int64_t calls = 0;
  int64_t tokens = 0;
  for (const auto& step : doc->at("steps").as_array()) {
    const auto& rec = step.at("record").as_object();
    EXPECT_EQ(rec.at("mode"), json::value("traditional")) << step;
    EXPECT_TRUE(rec.at("latency_ms").is_number()) << step;
    EXPECT_EQ(rec.at("error_class"), json::value("")) << step;
    calls += rec.at("llm_calls").as_int64();
    tokens += rec.at("input_tokens").as_int64();
    if (rec.at("llm_calls").as_int64() > 0) {
      EXPECT_EQ(rec.at("provider"), json::value("mock")) << step;
      EXPECT_EQ(rec.at("model"), json::value("mock-1")) << step;
      EXPECT_EQ(rec.at("attempts"), json::value(1)) << step;
    }
  }
  // The run's totals are the sum of its steps' records.
  EXPECT_EQ(doc->at("totals").at("llm_calls"), json::value(calls));
  EXPECT_EQ(doc->at("totals").at("input_tokens"), json::value(tokens));
  EXPECT_EQ(calls, 2);
}

TEST_F(CliTest, ScriptedExampleTakesTheConditionalBranch) {
  auto r = pipeline({"run", "examples/review_and_fix.yaml", "--config",
                     "examples/host-mock-scripted.yaml", "--output-dir", dir_.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc);
  const auto& steps = doc->at("steps").as_array();
  EXPECT_EQ(steps[1].at("status"), json::value("completed"));
  EXPECT_EQ(steps[2].at("status"), json::value("skipped"));
  EXPECT_THAT(slurp(dir_ / "fixed.py"), HasSubstr("return sum(xs) / len(xs) if xs else 0.0"));
}

TEST_F(CliTest, SetOverridesInputs) {
  auto r = pipeline({"run", "examples/variables_and_conditions.yaml", "--set", "items=12",
                     "--output-dir", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(dir_ / "plan.txt"), "Mock response to: Process 12 items in 3 batches of 5.");
}

TEST_F(CliTest, RerunIsAnsweredFromTheBuiltInResponseCache) {
  auto cold = pipeline({"run", "examples/hello.yaml", "--json", "--output-dir", dir_.string()});
  ASSERT_EQ(cold.exit_code, 0) << cold.err;
  EXPECT_EQ(parse_json(cold.out)->at("totals").at("llm_calls"), json::value(2));
  EXPECT_TRUE(fs::exists(dir_ / "cache" / "pipeline" / "responses.sqlite"));
  auto warm = pipeline({"run", "examples/hello.yaml", "--json", "--output-dir", dir_.string()});
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  auto doc = parse_json(warm.out);
  EXPECT_EQ(doc->at("totals").at("llm_calls"), json::value(0));
  EXPECT_EQ(doc->at("totals").at("cache_hits"), json::value(2));
  EXPECT_EQ(doc->at("results").at("greet").at("cached"), json::value(true));
  EXPECT_EQ(doc->at("results").at("greet").at("text"),
            parse_json(cold.out)->at("results").at("greet").at("text"));
  auto off = pipeline(
      {"run", "examples/hello.yaml", "--json", "--cache", "off", "--output-dir", dir_.string()});
  EXPECT_EQ(parse_json(off.out)->at("totals").at("llm_calls"), json::value(2));
  EXPECT_EQ(pipeline({"run", "examples/hello.yaml", "--cache", "sometimes"}).exit_code, 2);
}

TEST_F(CliTest, InterruptCancelsTheRunAndKeepsWhatCompleted) {
  fs::path cfg = write("host.yaml",
                       "providers:\n  slow: {plugin: mock, latency_ms: 20000}\n"
                       "step_providers:\n  default: slow\ncache: {mode: off}\n");
  fs::path wf = write("wf.yaml", R"(workflow:
  name: slow
  steps:
    - name: quick
      type: set_variable
      variables: {x: 1}
    - name: slow_llm
      type: claude
      prompt: [{type: static, content: "take your time"}]
)");
  std::string out = (dir_ / "out.json").string();
  std::vector<std::string> args = {PIPELINE_BINARY, "run",        wf.string(),
                                   "--config",      cfg.string(), "--json"};
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Give it time to reach the slow step, then interrupt as a user's Ctrl-C would.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of cancelling";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  auto doc = parse_json(slurp(out));
  ASSERT_TRUE(doc) << slurp(out);
  EXPECT_EQ(doc->at("status"), json::value("cancelled"));
  EXPECT_TRUE(doc->at("results").as_object().contains("quick"));
}

TEST_F(CliTest, InterruptSummarySaysCancelledNotFailed) {
  fs::path cfg = write("host.yaml",
                       "providers:\n  slow: {plugin: mock, latency_ms: 20000}\n"
                       "step_providers:\n  default: slow\ncache: {mode: off}\n");
  fs::path wf = write("wf.yaml", R"(workflow:
  name: slow
  steps:
    - name: quick
      type: set_variable
      variables: {x: 1}
      output_to_file: started.txt
    - name: slow_llm
      type: claude
      prompt: [{type: static, content: "take your time"}]
)");
  for (int sig : {SIGINT, SIGTERM}) {
    fs::remove(dir_ / "started.txt");
    auto r = interrupt_when(
        {"run", wf.string(), "--config", cfg.string(), "--output-dir", dir_.string()},
        dir_ / "started.txt", sig);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("[cancelled] slow_llm"));
    EXPECT_THAT(r.err, HasSubstr("Cancelled: 1 completed, 0 skipped, cancelled at 'slow_llm'"));
    EXPECT_THAT(r.err, Not(HasSubstr("failed in")));
    EXPECT_THAT(r.err, Not(HasSubstr("FAILED")));
    EXPECT_THAT(r.err, Not(HasSubstr("network")));
  }
  fs::remove(dir_ / "started.txt");
  auto r = interrupt_when(
      {"run", wf.string(), "--config", cfg.string(), "--output-dir", dir_.string(), "--json"},
      dir_ / "started.txt");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("status"), json::value("cancelled"));
  EXPECT_EQ(doc->at("error").at("class"), json::value("cancelled"));
  EXPECT_EQ(doc->at("steps").at(1).at("status"), json::value("cancelled"));
  EXPECT_THAT(json::serialize(doc->at("steps").at(1)), Not(HasSubstr("network")))
      << "a cancelled call is class cancelled";
}

TEST_F(CliTest, InterruptStopsAnExpressionGrindingThroughBigData) {
  // 32 MiB of data and an expression that copies it 2,400 times: half a minute or more of work
  // (about 10 ms per copy) that Ctrl-C must cut short, as it does a provider call. A balanced
  // sum keeps the tree far below the depth limit.
  std::function<std::string(int)> sum = [&](int n) -> std::string {
    if (n == 1) return "length(global_vars.big)";
    return "(" + sum(n / 2) + "+" + sum(n - n / 2) + ")";
  };
  fs::path cfg = write("host.yaml",
                       "providers:\n  fast: {plugin: mock}\n"
                       "step_providers:\n  default: fast\ncache: {mode: off}\n");
  fs::path wf = write("wf.yaml", "workflow:\n  name: grind\n  global_vars:\n    big: \"" +
                                     std::string(32 << 20, 'x') +
                                     "\"\n  steps:\n"
                                     "    - name: marker\n      type: set_variable\n"
                                     "      variables: {x: 1}\n      output_to_file: started.txt\n"
                                     "    - name: grind\n      type: set_variable\n"
                                     "      variables: {n: \"{{ " +
                                     sum(2400) + " }}\"}\n");
  auto r = interrupt_when(
      {"run", wf.string(), "--config", cfg.string(), "--output-dir", dir_.string(), "--json"},
      dir_ / "started.txt");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_LT(ms_to_exit_after_signal_, 10000) << "the expression ran on after Ctrl-C";
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out.substr(0, 2000);
  EXPECT_EQ(doc->at("status"), json::value("cancelled"));
  ASSERT_EQ(doc->at("steps").as_array().size(), 2u) << r.out.substr(0, 2000);
  EXPECT_EQ(doc->at("steps").at(1).at("status"), json::value("cancelled"));
}

TEST_F(CliTest, InterruptedParallelForLoopKeepsTheIterationsThatFinished) {
  fs::path cfg = write("host.yaml",
                       "providers:\n  slow: {plugin: mock, latency_ms: 20000}\n"
                       "step_providers:\n  default: slow\ncache: {mode: off}\n");
  fs::path wf = write("wf.yaml", R"(workflow:
  name: loop
  steps:
    - name: quick
      type: set_variable
      variables: {x: 1}
      output_to_file: started.txt
    - name: each
      type: for_loop
      iterator: it
      parallel: true
      max_parallel: 4
      data_source: [a, b, slow, c]
      steps:
        - name: echo
          type: set_variable
          variables: {seen: "{{it}}"}
        - name: think
          type: claude
          condition: "it == 'slow'"
          prompt: [{type: static, content: "only the slow item asks"}]
)");
  auto r = interrupt_when(
      {"run", wf.string(), "--config", cfg.string(), "--output-dir", dir_.string(), "--json"},
      dir_ / "started.txt");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("status"), json::value("cancelled"));
  EXPECT_EQ(doc->at("steps").at(1).at("status"), json::value("cancelled"));
  const auto& loop = doc->at("results").at("each");
  EXPECT_EQ(loop.at("cancelled"), json::value(true));
  std::vector<std::string> finished;
  for (const auto& it : loop.at("iterations").as_array()) {
    EXPECT_EQ(it.at("success"), json::value(true));
    finished.push_back(std::string(it.at("item").as_string()));
  }
  EXPECT_EQ(finished, (std::vector<std::string>{"a", "b", "c"})) << r.out;
}

TEST_F(CliTest, TempFilesOfAKilledRunAreRemovedByTheNextRun) {
  // The temporary names a writer killed mid-write leaves: one of a process that is gone (a child
  // that already exited), one of a live process (this test), which must be left alone.
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  fs::path stale = write("out/summary.txt.tmp." + std::to_string(gone) + ".12345", "half");
  fs::path nested = write("out/sub/x.md.tmp." + std::to_string(gone) + ".7", "half");
  fs::path live = write("out/other.txt.tmp." + std::to_string(::getpid()) + ".9", "writing");
  fs::path unrelated = write("out/notes.tmp.txt", "mine");
  auto r = pipeline({"run", "examples/hello.yaml", "--output-dir", (dir_ / "out").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(nested));
  EXPECT_TRUE(fs::exists(live)) << "a live process's temporary file is not ours to remove";
  EXPECT_TRUE(fs::exists(unrelated));
}

TEST_F(CliTest, AnApiKeyWithSurroundingWhitespaceIsTrimmedAndNeverEchoed) {
  testing::MockLlmServer::Options options;
  options.openai_key = "sk-right-key-0001";
  testing::MockLlmServer server(options);
  server.start();
  fs::path cfg = write("host.yaml",
                       "providers:\n  oa:\n    plugin: openai\n    base_url: " + server.base_url() +
                           "/v1\n    api_key_env: PIPELINE_E2E_SPACED_KEY\n"
                           "    max_attempts: 1\n"
                           "step_providers:\n  default: oa\ncache: {mode: off}\n");
  const std::vector<std::string> run = {"run",        "examples/hello.yaml", "--config",
                                        cfg.string(), "--output-dir",        dir_.string(),
                                        "--json"};
  // A right key pasted with a trailing space and newline: used trimmed, so it works.
  auto ok = pipeline(run, {{"PIPELINE_E2E_SPACED_KEY", "sk-right-key-0001 \n"}});
  EXPECT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  ASSERT_FALSE(server.requests().empty());
  EXPECT_EQ(server.requests().front().header("authorization"), "Bearer sk-right-key-0001");
  // A wrong key with a trailing space: the server echoes it (trimmed, as HTTP delivers it) in
  // its 401 message; neither the stdout JSON nor stderr may show any form of it.
  const std::string wrong = "sk-wrong-key-SECRET-4242";
  auto bad = pipeline(run, {{"PIPELINE_E2E_SPACED_KEY", wrong + " "}});
  EXPECT_EQ(bad.exit_code, 1) << bad.err << bad.out;
  EXPECT_TRUE(parse_json(bad.out)) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("[REDACTED]")) << "the echoed key was redacted, not absent";
  EXPECT_THAT(bad.out, Not(HasSubstr(wrong)));
  EXPECT_THAT(bad.err, Not(HasSubstr(wrong)));
  EXPECT_THAT(bad.out + bad.err, Not(HasSubstr("sk-wrong-key-SECRET-4242%20")));
  // Only whitespace is no key at all: refused before the run, naming the variable.
  auto blank = pipeline(run, {{"PIPELINE_E2E_SPACED_KEY", "  \t "}});
  EXPECT_EQ(blank.exit_code, 2) << blank.err;
  EXPECT_THAT(blank.out + blank.err, HasSubstr("PIPELINE_E2E_SPACED_KEY"));
}

TEST_F(CliTest, ValidateAcceptsAGoodWorkflow) {
  auto r = pipeline({"validate", "examples/hello.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("valid (3 steps"));
}

TEST_F(CliTest, ValidateRejectsEveryProblemAtOnceWithPlaces) {
  fs::path wf = write("bad.yaml", R"(workflow:
  name: bad
  steps:
    - name: a
      type: claud
    - name: b
      type: claude
      prompt:
        - type: previous_response
          step: nothere
)");
  auto r = pipeline({"validate", wf.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(wf.string() + ":5:7: error: step 'a': unknown step type 'claud'"));
  EXPECT_THAT(r.err,
              HasSubstr(wf.string() + ":9:11: error: step 'b': prompt[0] previous_response"));
  EXPECT_THAT(r.err, HasSubstr("2 error(s)"));
}

TEST_F(CliTest, ValidateJsonListsDiagnostics) {
  fs::path wf = write("bad.yaml", "workflow:\n  name: x\n  steps: {}\n");
  auto r = pipeline({"validate", wf.string(), "--json"});
  EXPECT_EQ(r.exit_code, 2);
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("valid"), json::value(false));
  const auto& d = doc->at("diagnostics").as_array().at(0);
  EXPECT_EQ(d.at("line"), json::value(3));
  EXPECT_EQ(d.at("column"), json::value(10));
  EXPECT_THAT(std::string(d.at("message").as_string()), HasSubstr("expected a list, found a map"));
}

TEST_F(CliTest, MalformedYamlExitsTwoWithLineAndColumn) {
  fs::path wf = write("broken.yaml", "workflow:\n  name: x\n  steps:\n    - name: [unclosed\n");
  auto r = pipeline({"run", wf.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(wf.string() + ":5:"));
  EXPECT_THAT(r.err, HasSubstr("YAML syntax"));
}

TEST_F(CliTest, MissingFileExitsTwo) {
  auto r = pipeline({"run", (dir_ / "nope.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nope.yaml: error: cannot open file"));
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(pipeline({"run"}).exit_code, 2);
  EXPECT_EQ(pipeline({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(pipeline({"run", "examples/hello.yaml", "--mode", "quantum"}).exit_code, 2);
  EXPECT_EQ(pipeline({}).exit_code, 2);
}

TEST_F(CliTest, StepFailureExitsOneAndKeepsEarlierOutputs) {
  fs::path cfg = write("host.yaml", R"(providers:
  flaky:
    plugin: mock
    failures: {after_calls: 1, rate: 1.0, status: UNAVAILABLE, class: overloaded, http_status: 529}
step_providers:
  default: flaky
)");
  fs::path wf = write("wf.yaml", R"(workflow:
  name: two
  steps:
    - name: first
      type: claude
      prompt: [{type: static, content: one}]
      output_to_file: first.txt
    - name: second
      type: claude
      prompt: [{type: static, content: two}]
      output_to_file: second.txt
)");
  auto r = pipeline(
      {"run", wf.string(), "--config", cfg.string(), "--output-dir", dir_.string(), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("error").at("step"), json::value("second"));
  EXPECT_EQ(slurp(dir_ / "first.txt"), "Mock response to: one");
  EXPECT_FALSE(fs::exists(dir_ / "second.txt"));
}

TEST_F(CliTest, BadHostConfigExitsTwoAndOverwritesNothing) {
  write("out/first.txt", "precious");
  fs::path cfg =
      write("host.yaml", "providers:\n  x: {plugin: nonexistent}\nstep_providers:\n  default: x\n");
  auto r = pipeline({"run", "examples/hello.yaml", "--config", cfg.string(), "--output-dir",
                     (dir_ / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(cfg.string() +
                               ":2:3: error: providers.x: no provider plugin 'nonexistent'"));
  EXPECT_EQ(slurp(dir_ / "out" / "first.txt"), "precious");
  EXPECT_FALSE(fs::exists(dir_ / "out" / "summary.txt"));
}

TEST_F(CliTest, TestModeMockOverridesALiveConfig) {
  // A live config whose key is not set: refused as it is, runs offline under TEST_MODE=mock.
  fs::path cfg = write("host.yaml", R"(providers:
  claude: {plugin: anthropic, api_key_env: PIPELINE_E2E_UNSET_KEY}
step_providers:
  claude: claude
)");
  auto live = pipeline(
      {"run", "examples/hello.yaml", "--config", cfg.string(), "--output-dir", dir_.string()},
      {{"PIPELINE_E2E_UNSET_KEY", ""}});
  EXPECT_EQ(live.exit_code, 2) << live.err;
  EXPECT_THAT(live.err, HasSubstr("PIPELINE_E2E_UNSET_KEY"));
  auto mocked = pipeline(
      {"run", "examples/hello.yaml", "--config", cfg.string(), "--output-dir", dir_.string()},
      {{"TEST_MODE", "mock"}, {"PIPELINE_E2E_UNSET_KEY", ""}});
  EXPECT_EQ(mocked.exit_code, 0) << mocked.err;
  auto broken = write(
      "broken.yaml", "providers:\n  x: {plugin: no_such_provider}\nstep_providers:\n  claude: x\n");
  // Mock mode rewires steps but does not hide a config that names a plugin that does not exist.
  EXPECT_EQ(pipeline({"validate", "examples/hello.yaml", "--config", broken.string()},
                     {{"TEST_MODE", "mock"}})
                .exit_code,
            2);
}

TEST_F(CliTest, PluginThrowingThroughTheAbiFailsTheStepNotTheProcess) {
  // The binary links its C++ runtime statically while plugins use the shared one: an exception
  // escaping a plugin must still be caught at the boundary.
  fs::path cfg =
      write("host.yaml", std::string("plugins:\n  search_paths: [") + PIPELINE_TEST_PLUGIN_DIR +
                             "]\n  load: [mock, llm_steps, core_steps, fixture_misbehaving]\n");
  fs::path wf =
      write("wf.yaml", "workflow:\n  name: t\n  steps:\n    - name: a\n      type: throws\n");
  auto r = pipeline({"run", wf.string(), "--config", cfg.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("boom from a careless plugin"));
}

TEST_F(CliTest, PluginsListsEveryShippedPluginAsJson) {
  auto r = pipeline({"plugins", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  std::map<std::string, std::string> kinds;
  for (const auto& p : doc->at("plugins").as_array()) {
    // Every shipped plugin is built against this tree's header.
    EXPECT_EQ(p.at("abi"),
              json::value(std::to_string(PL_ABI_MAJOR) + "." + std::to_string(PL_ABI_MINOR)));
    EXPECT_TRUE(fs::exists(std::string(p.at("file").as_string())));
    for (const auto& c : p.at("components").as_array()) {
      kinds[std::string(c.at("name").as_string())] = std::string(c.at("kind").as_string());
    }
  }
  EXPECT_EQ(kinds["mock"], "provider");
  EXPECT_EQ(kinds["claude"], "step");
  EXPECT_EQ(kinds["gemini"], "step");
  EXPECT_EQ(kinds["set_variable"], "step");
  EXPECT_EQ(kinds["mipro_v2"], "optimizer");
  EXPECT_EQ(kinds["gepa"], "optimizer");
}

TEST_F(CliTest, PluginSearchPathNeverIncludesTheCurrentDirectory) {
  // A library that looks like a plugin in the working directory must not be picked up.
  fs::copy_file(fs::path(PIPELINE_TEST_PLUGIN_DIR) / "libpipeline_fixture_c.so",
                dir_ / "libpipeline_fixture_c.so");
  std::vector<std::string> args = {PIPELINE_BINARY, "plugins", "--json"};
  auto r = testing::run_process(args, {{"PIPELINE_CONFIG", ""}, {"XDG_CONFIG_HOME", dir_.string()}},
                                dir_.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("fixture_c")));
}

// ---- Plugin load errors (issue 13): why a library was refused, reported before what it causes --

class PluginErrorsTest : public CliTest {
 protected:
  // A plugin folder of its own holding copies of the named hostile fixtures.
  fs::path plugin_dir(std::initializer_list<const char*> hostile) {
    fs::path d = dir_ / "plugins";
    fs::create_directories(d);
    for (const char* name : hostile) {
      fs::copy_file(fs::path(PIPELINE_HOSTILE_PLUGIN_DIR) / name, d / name);
    }
    return d;
  }
  fs::path host_config(const fs::path& plugins, const std::string& rest = "") {
    return write("host.yaml",
                 "plugins:\n  search_paths: [" + plugins.string() + "]\n" + std::string(rest));
  }
  fs::path no_llm_workflow() {
    return write("wf.yaml",
                 "workflow:\n  name: t\n  steps:\n    - {name: a, type: set_variable, variables: "
                 "{v: 1}}\n");
  }
};

TEST_F(PluginErrorsTest, RefusedPluginComesBeforeTheErrorItCausesWithItsFileAndNoLineZero) {
  fs::path plugins = plugin_dir({"libpipeline_fixture_throws.so"});
  fs::path cfg = host_config(plugins, "providers:\n  x: {plugin: throws_in_create}\n");
  auto r = pipeline({"validate", no_llm_workflow().string(), "--config", cfg.string()},
                    {{"FIXTURE_THROW_IN_INIT", "1"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const std::string lib = (plugins / "libpipeline_fixture_throws.so").string();
  auto refused = r.err.find(lib + ": warning: ");
  auto caused = r.err.find("no provider plugin 'throws_in_create' is loaded");
  ASSERT_NE(refused, std::string::npos) << r.err;
  ASSERT_NE(caused, std::string::npos) << r.err;
  EXPECT_LT(refused, caused) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the license daemon"));
  EXPECT_THAT(r.err, HasSubstr("searched: " + plugins.string()));
  EXPECT_THAT(r.err, Not(HasSubstr(":0:")));

  auto j = pipeline({"validate", no_llm_workflow().string(), "--config", cfg.string(), "--json"},
                    {{"FIXTURE_THROW_IN_INIT", "1"}});
  auto doc = parse_json(j.out);
  ASSERT_TRUE(doc) << j.out;
  const auto& first = doc->at("diagnostics").as_array().at(0);
  EXPECT_EQ(first.at("file"), json::value(lib));
  EXPECT_FALSE(first.as_object().contains("line")) << j.out;
}

TEST_F(PluginErrorsTest, NonexistentSearchPathIsAWarningWithItsPlace) {
  fs::path cfg = write("host.yaml", "plugins:\n  search_paths: [./no-such-folder]\n");
  auto r = pipeline({"validate", no_llm_workflow().string(), "--config", cfg.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(cfg.string() + ":2:18: warning: plugins.search_paths: "
                                              "'./no-such-folder'"));
}

TEST_F(PluginErrorsTest, AllowlistWithoutMockWorksWhenNothingUsesTheMock) {
  fs::path cfg = write("host.yaml", "plugins:\n  load: [core_steps]\n");
  auto v = pipeline({"validate", no_llm_workflow().string(), "--config", cfg.string()});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.err, Not(HasSubstr("<built-in>")));
  auto r = pipeline({"run", no_llm_workflow().string(), "--config", cfg.string(), "--output-dir",
                     (dir_ / "out").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto p = pipeline({"plugins", "--config", cfg.string()});
  EXPECT_EQ(p.exit_code, 0) << p.err;
}

TEST_F(PluginErrorsTest, AllowlistWithoutMockFailsOnlyAStepServedByIt) {
  fs::path cfg = write("host.yaml", "plugins:\n  load: [core_steps, llm_steps]\n");
  fs::path wf = write("llm.yaml",
                      "workflow:\n  name: t\n  steps:\n    - {name: a, type: claude, prompt: "
                      "[{type: static, content: hi}]}\n");
  auto r = pipeline(
      {"run", wf.string(), "--config", cfg.string(), "--output-dir", (dir_ / "out").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the step fails; the config was not bad input
  EXPECT_THAT(r.err, HasSubstr("no provider plugin 'mock' is loaded"));
  EXPECT_THAT(r.err, HasSubstr("searched: "));
}

TEST_F(PluginErrorsTest, ThirdPartyPluginNamedMockDoesNotFailUnrelatedCommands) {
  fs::path cfg = host_config(plugin_dir({"libpipeline_fixture_named_mock.so"}));
  auto v = pipeline({"validate", no_llm_workflow().string(), "--config", cfg.string()});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.err, HasSubstr("plugin 'mock'"));  // the shipped mock, refused as a duplicate
  EXPECT_THAT(v.err, Not(HasSubstr("<built-in>: error")));
}

TEST_F(PluginErrorsTest, PluginsExitsOneWhenALibraryIsRefusedAndSaysWhy) {
  fs::path plugins = plugin_dir({"libpipeline_fixture_missing_dependency.so"});
  std::ofstream(plugins / "libpipeline_notes.so") << std::string(200, '#');  // no ELF header
  auto r = pipeline({"plugins", "--config", host_config(plugins).string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("libfixture_vanished_dep.so"));
  EXPECT_THAT(r.err, HasSubstr("invalid ELF header"));
  EXPECT_THAT(r.err, Not(HasSubstr("Bad file descriptor")));
  EXPECT_THAT(r.out, HasSubstr("mock"));  // the good ones are still listed
}

// ---- pipeline plugins --check FILE (issue 13, item 6) -------------------------------------------

TEST_F(CliTest, CheckOfAShippedPluginIsCleanAndListsItsComponents) {
  auto r =
      pipeline({"plugins", "--check", std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_mock.so"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("plugin mock"));
  EXPECT_THAT(r.out, HasSubstr("provider mock"));
  EXPECT_THAT(r.out, HasSubstr("create with {}: ok"));
  EXPECT_THAT(r.out, HasSubstr("0 problem(s)"));
}

TEST_F(CliTest, CheckCreatesEachComponentWithTheSampleFromItsSchema) {
  auto r = pipeline({"plugins", "--json", "--check",
                     std::string(PIPELINE_TEST_PLUGIN_DIR) + "/libpipeline_fixture_c.so"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& c = doc->at("components").as_array().at(0);
  EXPECT_EQ(c.at("name"), json::value("c_echo"));
  EXPECT_EQ(c.at("sample_config"), json::value(R"({"greeting":"hi"})"));
  EXPECT_EQ(c.at("created"), json::value(true));
  EXPECT_EQ(c.at("config_schema").at("type"), json::value("object"));
}

TEST_F(CliTest, CheckReportsEveryComponentThatRefusesItsSampleConfig) {
  auto r =
      pipeline({"plugins", "--check",
                std::string(PIPELINE_TEST_PLUGIN_DIR) + "/libpipeline_fixture_misbehaving.so"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("step 'refuses_config': create() with the sample config {} failed"));
  EXPECT_THAT(r.out, HasSubstr("needs setting 'flavour'"));
  EXPECT_THAT(r.out, HasSubstr("1 problem(s)"));
}

TEST_F(CliTest, CheckReportsAFailedInitAndAnOlderMinor) {
  auto failed =
      pipeline({"plugins", "--check",
                std::string(PIPELINE_TEST_PLUGIN_DIR) + "/libpipeline_fixture_init_fails.so"});
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_THAT(failed.out, HasSubstr("license server unreachable"));
  auto old =
      pipeline({"plugins", "--check",
                std::string(PIPELINE_TEST_PLUGIN_DIR) + "/libpipeline_fixture_old_minor.so"});
  EXPECT_EQ(old.exit_code, 0) << old.out;
  EXPECT_THAT(old.out, HasSubstr("an older ABI minor"));
}

TEST_F(CliTest, CheckOfSomethingThatIsNotAPluginExitsTwo) {
  fs::path notes = write("libpipeline_notes.so", std::string(200, '#'));
  auto r = pipeline({"plugins", "--check", notes.string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.out, HasSubstr("not a loadable plugin"));
  EXPECT_THAT(r.out, HasSubstr("invalid ELF header"));
  auto wrong =
      pipeline({"plugins", "--check",
                std::string(PIPELINE_TEST_PLUGIN_DIR) + "/libpipeline_fixture_wrong_major.so"});
  EXPECT_EQ(wrong.exit_code, 2) << wrong.out;
  EXPECT_THAT(wrong.out, HasSubstr("rebuild it against this SDK"));
}

// ---- Start-up (issue 13, item 8): a run opens only the plugin libraries it uses -----------------

TEST_F(CliTest, RunOpensOnlyThePluginLibrariesItUses) {
  // The build writes plugins.manifest.json next to the plugins; LD_DEBUG=files makes the dynamic
  // loader name every library it opens.
  ASSERT_TRUE(fs::exists(fs::path(PIPELINE_PLUGIN_DIR) / "plugins.manifest.json"));
  auto r = pipeline({"run", "examples/hello.yaml", "-q", "--output-dir", (dir_ / "out").string()},
                    {{"LD_DEBUG", "files"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* used : {"libpipeline_mock.so", "libpipeline_llm_steps.so",
                           "libpipeline_core_steps.so", "libpipeline_cache_memory.so"}) {
    EXPECT_THAT(r.err, HasSubstr(used));
  }
  for (const char* unused : {"libpipeline_anthropic.so", "libpipeline_openai.so",
                             "libpipeline_cache_redis.so", "libpipeline_control_steps.so"}) {
    EXPECT_THAT(r.err, Not(HasSubstr(unused)));
  }
  // Without a workflow, `pipeline plugins` still opens every library.
  auto all = pipeline({"plugins"});
  EXPECT_THAT(all.out, HasSubstr("libpipeline_cache_redis.so"));
}

// ---- Hardening (issue 14): hostile input gets exit 2 or 1 with its place, never a crash ------

TEST_F(CliTest, WorkflowOnAFifoOrADeviceIsRefusedWithoutBlocking) {
  fs::path fifo = dir_ / "wf.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& f :
       {fifo.string(), std::string("/dev/zero"), std::string("/dev/urandom")}) {
    auto r = pipeline_bounded({"validate", f});
    EXPECT_EQ(r.exit_code, 2) << f << r.err;
    EXPECT_THAT(r.err, HasSubstr(f + ": error: not a regular file")) << r.err;
  }
}

TEST_F(CliTest, WorkflowOverTheSizeCapIsRefusedWithTheLimit) {
  fs::path wf =
      write("wf.yaml", "workflow:\n  name: x\n  steps:\n" + std::string(5000, '#') + "\n");
  auto r = pipeline_bounded({"validate", wf.string()}, {{"PIPELINE_MAX_FILE_BYTES", "1000"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("more than the limit of 1000 (set PIPELINE_MAX_FILE_BYTES"));
}

TEST_F(CliTest, FilePromptPartsOnDevicesFifosOrNothingFailTheStep) {
  fs::path fifo = dir_ / "p.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo.string(), std::string("/dev/zero")}) {
    fs::path wf = write("wf.yaml",
                        "workflow:\n  name: f\n  steps:\n    - name: a\n      type: claude\n"
                        "      prompt: [{type: file, path: \"" +
                            path + "\"}]\n");
    auto r = pipeline_bounded({"run", wf.string()});
    EXPECT_EQ(r.exit_code, 1) << path << r.err;
    EXPECT_THAT(r.err, HasSubstr("not a regular file")) << r.err;
  }
  fs::path wf = write("wf.yaml",
                      "workflow:\n  name: f\n  steps:\n    - name: a\n      type: claude\n"
                      "      prompt: [{type: file, path: \"{{ inputs.missing }}\"}]\n");
  auto r = pipeline_bounded({"run", wf.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("renders empty")) << r.err;
}

TEST_F(CliTest, Latin1PromptFileIsNotUtf8AtByteN) {
  write("latin1.txt", "caf\xE9 au lait");
  fs::path wf = write("wf.yaml",
                      "workflow:\n  name: l\n  steps:\n    - name: a\n      type: claude\n"
                      "      prompt: [{type: file, path: \"" +
                          (dir_ / "latin1.txt").string() + "\"}]\n");
  auto r = pipeline_bounded({"run", wf.string(), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_THAT(json::serialize(*doc), HasSubstr("not UTF-8 at byte 3"));
}

TEST_F(CliTest, HostileYamlAndExpressionsExitTwoWithTheirPlace) {
  struct Case {
    std::string yaml, expected;
  };
  std::string sum = "1";
  for (int i = 0; i < 300000; ++i) sum += "+1";
  std::vector<Case> cases = {
      {"workflow: &a\n  name: x\n  steps: [*a]\n", "wf.yaml:3:11: error: alias *a refers"},
      {"workflow:\n  name: x\n  name: y\n  steps: []\n",
       "wf.yaml:3:3: error: duplicate key 'name'"},
      {"workflow:\n  name: x\n  steps:\n    - {name: a, type: set_variable, variables: {v: 1}, "
       "condition: \"" +
           std::string(5000, '(') + "1" + std::string(5000, ')') + "\"}\n",
       "nested more than 256 levels"},
      {"workflow:\n  name: x\n  steps:\n    - {name: a, type: set_variable, variables: {v: 1}, "
       "condition: \"" +
           sum + "\"}\n",
       "bytes long"},
      {"workflow:\n  name: x\n  steps:\n    - {name: a, type: set_variable, variables: {v: 1}, "
       "condition: \"" +
           std::string(400, '9') + " > 1\"}\n",
       "is out of range"},
  };
  for (const auto& c : cases) {
    fs::path wf = write("wf.yaml", c.yaml);
    auto r = pipeline_bounded({"validate", wf.string()});
    EXPECT_EQ(r.exit_code, 2) << r.err.substr(0, 2000);
    EXPECT_THAT(r.err, HasSubstr(c.expected)) << r.err.substr(0, 2000);
  }
}

TEST_F(CliTest, CatastrophicRegexAndLongSubjectsFinish) {
  fs::path wf = write("wf.yaml", R"(workflow:
  name: re
  global_vars:
    s: ")" + std::string(30, 'a') + R"(!"
    long: ")" + std::string(20000, 'a') +
                                     R"("
  steps:
    - name: a
      type: set_variable
      condition: "global_vars.s matches '(a+)+$'"
      variables: {v: 1}
    - name: b
      type: set_variable
      condition: "global_vars.long matches '^(a|aa)*$'"
      variables: {v: 2}
)");
  auto r = pipeline_bounded({"run", wf.string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_FALSE(doc->at("results").as_object().contains("a"));
  EXPECT_TRUE(doc->at("results").as_object().contains("b"));
}

TEST_F(CliTest, MisspelledStepKeysWarnWithDidYouMeanAndStrictMakesThemErrors) {
  fs::path wf = write("wf.yaml", R"(workflow:
  name: typo
  steps:
    - name: a
      type: claude
      condtion: "false"
      prompt: [{type: static, content: "hi"}]
)");
  auto r = pipeline_bounded({"validate", wf.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("wf.yaml:6:7: warning: step 'a': unknown key 'condtion' for a "
                               "claude step (ignored); did you mean 'condition'?"));
  auto strict = pipeline_bounded({"validate", "--strict", wf.string()});
  EXPECT_EQ(strict.exit_code, 2);
  EXPECT_THAT(strict.err, HasSubstr("wf.yaml:6:7: error: step 'a': unknown key 'condtion'"));
  auto run = pipeline_bounded({"run", "--strict", wf.string()});
  EXPECT_EQ(run.exit_code, 2);
}

TEST_F(CliTest, ValidateReportsMissingBrokenAndCyclicPipelineFiles) {
  write("broken.yaml", "workflow:\n  name: b\n  steps:\n    - name: x\n      type: nope\n");
  write("cycle_a.yaml",
        "workflow:\n  name: a\n  steps:\n    - {name: n, type: pipeline, "
        "pipeline_file: cycle_b.yaml}\n");
  write("cycle_b.yaml",
        "workflow:\n  name: b\n  steps:\n    - {name: n, type: pipeline, "
        "pipeline_file: cycle_a.yaml}\n");
  fs::path missing = write("missing.yaml",
                           "workflow:\n  name: m\n  steps:\n    - {name: n, type: "
                           "pipeline, pipeline_file: nowhere.yaml}\n");
  fs::path broken = write("uses_broken.yaml",
                          "workflow:\n  name: u\n  steps:\n    - {name: n, "
                          "type: pipeline, pipeline_file: broken.yaml}\n");
  auto r = pipeline_bounded({"validate", missing.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("pipeline_file 'nowhere.yaml' not found"));
  r = pipeline_bounded({"validate", broken.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("broken.yaml:5:7: error: step 'x': unknown step type 'nope'"));
  r = pipeline_bounded({"validate", (dir_ / "cycle_a.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nested pipeline cycle"));
}

TEST_F(CliTest, NestingPastTheLimitIsRefusedAtValidation) {
  // A chain of 70 pipeline files, each calling the next: refused before any run, with the limit.
  for (int i = 0; i < 70; ++i) {
    write("chain" + std::to_string(i) + ".yaml", "workflow:\n  name: c" + std::to_string(i) +
                                                     "\n  steps:\n    - {name: n, type: pipeline, "
                                                     "pipeline_file: chain" +
                                                     std::to_string(i + 1) + ".yaml}\n");
  }
  write("chain70.yaml",
        "workflow:\n  name: end\n  steps:\n    - {name: s, type: set_variable, "
        "variables: {v: 1}}\n");
  auto r = pipeline_bounded({"validate", (dir_ / "chain0.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("steps are nested more than 64 levels deep"));
  std::string lists = std::string(70, '[') + std::string(70, ']');
  fs::path data =
      write("data.yaml", "workflow:\n  name: d\n  global_vars: {x: " + lists +
                             "}\n  steps: [{name: s, type: set_variable, variables: {v: 1}}]\n");
  r = pipeline_bounded({"validate", data.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nested more than 64 levels deep (the limit for workflow data)"));
  fs::path md = write("md.yaml",
                      "workflow:\n  name: m\n  steps:\n    - {name: n, type: pipeline, "
                      "pipeline: {name: i, steps: [{name: s, type: set_variable, variables: "
                      "{v: 1}}]}, max_depth: 3000}\n");
  r = pipeline_bounded({"validate", md.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("max_depth must be at most 64"));
}

TEST_F(CliTest, DataNestedUpToTheLimitReachesPluginsIntact) {
  std::string deep = "1";
  for (int i = 0; i < 55; ++i) deep = "[" + deep + "]";
  fs::path wf =
      write("wf.yaml",
            "workflow:\n  name: d\n  steps:\n    - name: loop\n      type: for_loop\n"
            "      iterator: it\n      data_source: [" +
                deep +
                "]\n"
                "      steps:\n        - {name: echo, type: test_echo, value: \"{{it}}\"}\n");
  auto r = pipeline_bounded({"run", wf.string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
}

TEST_F(CliTest, OutputToFileIsInterpolated) {
  fs::path wf = write("wf.yaml", R"(workflow:
  name: o
  global_vars: {tag: v2}
  steps:
    - name: a
      type: set_variable
      variables: {x: 1}
      output_to_file: "result_{{ global_vars.tag }}.json"
)");
  auto r = pipeline_bounded({"run", wf.string(), "-o", (dir_ / "out").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "result_v2.json"));
}

TEST_F(CliTest, JsonUsageErrorsPrintOneJsonDocument) {
  auto r = pipeline_bounded({"run", "--json", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(doc->at("status"), json::value("usage_error"));
  EXPECT_EQ(doc->at("exit_code"), json::value(2));
}

TEST_F(CliTest, JsonOutputStaysValidUtf8WhateverTheInputHolds) {
  fs::path wf = write("wf.yaml",
                      "workflow:\n  name: u\n  steps:\n    - name: a\n      type: test_echo\n"
                      "      value: \"caf\xE9\"\n");
  auto r = pipeline_bounded({"run", wf.string(), "--json"});
  auto doc = parse_json(r.out);  // strict: invalid UTF-8 would fail here
  EXPECT_TRUE(doc) << r.out;
  r = pipeline_bounded({"validate", wf.string(), "--json"});
  EXPECT_TRUE(parse_json(r.out)) << r.out;
}

TEST_F(CliTest, TestEchoOutsideTestModeWarnsThatPipelineExRejectsIt) {
  fs::path wf = write(
      "wf.yaml", "workflow:\n  name: t\n  steps:\n    - {name: a, type: test_echo, value: 1}\n");
  auto r = pipeline_bounded({"validate", wf.string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("pipeline_ex accepts it only in test mode"));
  r = pipeline_bounded({"validate", wf.string()}, {{"TEST_MODE", "mock"}});
  EXPECT_THAT(r.err, Not(HasSubstr("only in test mode")));
}

}  // namespace
}  // namespace pipeline
