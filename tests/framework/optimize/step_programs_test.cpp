// StepPrograms: lazy optimization as a run sees it, with the fixture optimizers loaded through the
// real plugin host, a scripted LM and a memory cache level: a step with no program starts a
// background optimization and gets its program once stored; a stale one serves while it is
// re-optimized (counting an unimproved round for `adaptive`); settings that forbid or cannot feed
// an optimization say why.
#include "cache_support.hpp"
#include "fake_lm.hpp"

#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/step_dspy.hpp>
#include <pipeline/optimize/program_service.hpp>
#include <pipeline/optimize/step_programs.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

using ::testing::HasSubstr;
using State = LazyOptimizer::State;
using namespace std::chrono_literals;

std::string workflow(const std::string& dspy_config) {
  return "workflow:\n  name: triage\n  dspy_config: " + dspy_config +
         "\n  steps:\n    - name: classify\n      type: claude\n"
         "      prompt: \"Classify: {{inputs.ticket}}\"\n      signature: \"ticket -> label\"\n"
         "      metric: {type: exact_match, field: label}\n      examples:\n"
         "        - {ticket: \"a refund\", label: billing}\n"
         "        - {ticket: \"it crashes\", label: technical}\n"
         "        - {ticket: \"double charge\", label: billing}\n"
         "        - {ticket: \"no login\", label: technical}\n";
}

class StepProgramsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status st = mc_.host.load_file(std::filesystem::path(PIPELINE_BINARY_DIR) /
                                   "tests/plugins/optimizers/libpipeline_fixture_optimizers.so");
    ASSERT_TRUE(st.ok()) << st.to_string();
    mc_.host.register_service(PL_SERVICE_PROGRAM, svc_.service());
  }
  void TearDown() override { mc_.host.unregister_service(PL_SERVICE_PROGRAM); }

  void load(const std::string& yaml, const std::string& file = "wf.yaml") {
    Diagnostics d;
    auto doc = load_yaml_string(yaml, file, d);
    ASSERT_TRUE(doc) << d.format();
    wf_ = parse_workflow(*doc, file, d);
    ASSERT_TRUE(wf_) << d.format();
  }
  std::unique_ptr<StepPrograms> programs(LazyOptimizer::Clock now = [] {
    return std::chrono::system_clock::now();
  }) {
    return std::make_unique<StepPrograms>(
        StepPrograms::Services{config_, mc_.host, lm_, mc_.cache, svc_}, *wf_, std::move(now));
  }
  const StepConfig& step() { return wf_->steps.at(0); }
  std::optional<StoredProgram> latest() {
    Diagnostics d;
    auto sd = dspy::step_dspy_from_config(step(), d);
    return OptimizationStore(mc_.cache).latest(sd->signature.hash());
  }

  testing::MemoryCache mc_;
  testing::FakeLm lm_;
  ProgramService svc_;
  HostConfig config_ = HostConfig::builtin();
  std::optional<Workflow> wf_;
};

TEST_F(StepProgramsTest, AStepWithoutAProgramRunsAsWrittenWhileOneIsOptimizedThenUsesIt) {
  load(workflow("{optimizer: fixture_program}"));
  auto p = programs();
  auto first = p->ensure(step());
  EXPECT_EQ(first.state, State::kOptimizing);
  EXPECT_FALSE(first.program);
  EXPECT_EQ(first.optimizer, "fixture_program");
  EXPECT_THAT(first.reason, HasSubstr("optimizing in the background"));
  EXPECT_EQ(p->finish(), 0);
  auto after = p->ensure(step());
  EXPECT_EQ(after.state, State::kReady) << after.reason;
  ASSERT_TRUE(after.program);
  EXPECT_EQ(after.program->optimizer, "fixture_program");
  EXPECT_EQ(after.program->report.at("unimproved"), 0);

  // The next run (a new StepPrograms over the same cache) finds it at once.
  auto next = programs()->ensure(step());
  EXPECT_EQ(next.state, State::kReady);
  ASSERT_TRUE(next.program);
}

TEST_F(StepProgramsTest, AStaleProgramServesWhileItIsReoptimizedAndAnUnimprovedRoundIsCounted) {
  load(workflow("{optimizer: fixture_program, optimization_frequency: adaptive}"));
  {
    auto p = programs();
    p->ensure(step());
    p->finish();
  }
  auto before = latest();
  ASSERT_TRUE(before);
  // Two days later: adaptive allows one day after an improving round.
  auto p = programs([] { return std::chrono::system_clock::now() + 48h; });
  auto stale = p->ensure(step());
  EXPECT_EQ(stale.state, State::kStale);
  ASSERT_TRUE(stale.program);
  EXPECT_EQ(stale.program->key, before->key);
  EXPECT_THAT(stale.reason, HasSubstr("older than its adaptive optimization_frequency"));
  p->finish();
  auto after = latest();
  ASSERT_TRUE(after);
  EXPECT_GE(after->created_unix_ms, before->created_unix_ms);
  // The fixture returns the same program: no gain, so adaptive now allows two days.
  EXPECT_EQ(after->report.at("unimproved"), 1);
}

TEST_F(StepProgramsTest, LazyOptimizationOffOnlyServesWhatIsStored) {
  load(workflow("{optimizer: fixture_program, lazy_optimization: false}"));
  auto c = programs()->ensure(step());
  EXPECT_EQ(c.state, State::kFailed);
  EXPECT_FALSE(c.program);
  EXPECT_THAT(c.reason, HasSubstr("lazy_optimization is false"));
  EXPECT_EQ(lm_.provider_calls.load(), 0);
}

TEST_F(StepProgramsTest, AStepWithNoTrainingDataSaysSo) {
  load(
      "workflow:\n  name: w\n  steps:\n    - name: classify\n      type: claude\n"
      "      prompt: \"x\"\n      signature: \"ticket -> label\"\n");
  auto c = programs()->ensure(step());
  EXPECT_EQ(c.state, State::kFailed);
  EXPECT_THAT(c.reason, HasSubstr("no training data"));
}

TEST_F(StepProgramsTest, AFailedOptimizationIsReportedWithTheOptimizersError) {
  load(workflow("{optimizer: fixture_failing}"));
  auto p = programs();
  EXPECT_EQ(p->ensure(step()).state, State::kOptimizing);
  p->finish();
  auto c = p->ensure(step());
  EXPECT_EQ(c.state, State::kFailed);
  EXPECT_THAT(c.reason, HasSubstr("optimization failed"));
  EXPECT_THAT(c.reason, HasSubstr("the search exploded"));
}

TEST_F(StepProgramsTest, TheNextRunRemembersAFailedOptimizationInsteadOfPayingForItAgain) {
  load(workflow("{optimizer: fixture_failing}"));
  {
    auto p = programs();
    EXPECT_EQ(p->ensure(step()).state, State::kOptimizing);
    p->finish();
  }
  // A new process over the same cache: the failure holds, nothing starts.
  auto next = programs();
  auto c = next->ensure(step());
  EXPECT_EQ(c.state, State::kFailed);
  EXPECT_EQ(c.optimizer, "fixture_failing");
  EXPECT_THAT(c.reason, HasSubstr("optimization failed 1 time(s)"));
  EXPECT_THAT(c.reason, HasSubstr("the search exploded"));
  EXPECT_FALSE(next->optimizing());

  // Sixteen minutes later the first retry is due: it runs, fails again, and the count grows.
  auto later = programs([] { return std::chrono::system_clock::now() + 16min; });
  EXPECT_EQ(later->ensure(step()).state, State::kOptimizing);
  later->finish();
  auto again = programs([] { return std::chrono::system_clock::now() + 17min; })->ensure(step());
  EXPECT_EQ(again.state, State::kFailed);
  EXPECT_THAT(again.reason, HasSubstr("optimization failed 2 time(s)"));
}

TEST_F(StepProgramsTest, ChangedOptimizationInputsRetryARememberedFailureAtOnce) {
  load(workflow("{optimizer: fixture_failing}"));
  {
    auto p = programs();
    p->ensure(step());
    p->finish();
  }
  ASSERT_EQ(programs()->ensure(step()).state, State::kFailed);
  // The user fixes the settings: the same signature, new inputs.
  load(workflow("{optimizer: fixture_failing, max_optimization_calls: 50}"));
  auto p = programs();
  EXPECT_EQ(p->ensure(step()).state, State::kOptimizing);
  p->finish();
}

TEST_F(StepProgramsTest, ASuccessfulOptimizationForgetsAnEarlierFailure) {
  load(workflow("{optimizer: fixture_program}"));
  Diagnostics d;
  auto sd = dspy::step_dspy_from_config(step(), d);
  OptimizationStore store(mc_.cache);
  // A failure recorded with other inputs does not hold; the optimization runs and succeeds.
  store.record_failure(sd->signature.hash(),
                       {.optimizer = "fixture_program", .fingerprint = "old", .reason = "x"});
  auto p = programs();
  EXPECT_EQ(p->ensure(step()).state, State::kOptimizing);
  p->finish();
  EXPECT_FALSE(store.failure(sd->signature.hash(), "fixture_program"));
}

TEST_F(StepProgramsTest, TrainingDataPathIsReadRelativeToTheWorkflowsFolder) {
  auto dir =
      std::filesystem::temp_directory_path() / ("step-programs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "train.jsonl") << "{\"ticket\": \"refund please\", \"label\": \"billing\"}\n"
                                     << "{\"ticket\": \"it hangs\", \"label\": \"technical\"}\n"
                                     << "{\"ticket\": \"charge twice\", \"label\": \"billing\"}\n";
  load(
      "workflow:\n  name: w\n  dspy_config: {optimizer: fixture_program, training_data_path: "
      "train.jsonl}\n  steps:\n    - name: classify\n      type: claude\n      prompt: \"x\"\n"
      "      signature: \"ticket -> label\"\n      metric: {type: exact_match, field: label}\n",
      (dir / "wf.yaml").string());
  auto p = programs();
  EXPECT_EQ(p->ensure(step()).state, State::kOptimizing);
  p->finish();
  auto c = p->ensure(step());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(c.state, State::kReady) << c.reason;
}

TEST_F(StepProgramsTest, CancelStopsABackgroundOptimizationAndStoresNothing) {
  load(
      workflow("{optimizer: fixture_spender, max_optimization_calls: 0, "
               "max_optimization_seconds: 0}"));
  lm_.wait_ms = 5;
  lm_.cache = false;
  auto p = programs();
  EXPECT_EQ(p->ensure(step()).state, State::kOptimizing);
  std::this_thread::sleep_for(50ms);
  p->cancel();
  p->finish();
  EXPECT_FALSE(latest());
  auto c = p->ensure(step());
  EXPECT_EQ(c.state, State::kFailed);
  EXPECT_THAT(c.reason, HasSubstr("stopped before it finished"));
}

}  // namespace
}  // namespace pipeline
