// End to end: `pipeline compare` on the built binary over exported StepRecords: the text and the
// --json report in the issue's shape, --step, --since, and bad input exiting 2.
#include "process.hpp"

#include <pipeline/json.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::ProcessResult;

class CompareCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-compare-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    wf_ = write("wf.yaml",
                "workflow:\n  name: triage\n  steps:\n"
                "    - {name: classify, type: claude, signature: \"ticket -> label\","
                " prompt: [{type: static, content: x}]}\n"
                "    - {name: summarize, type: claude, signature: \"ticket -> summary\","
                " prompt: [{type: static, content: x}]}\n");
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    std::string lines;
    auto add = [&](const std::string& step, const std::string& variant, double q, double cost,
                   std::int64_t at) {
      StepRecord r;
      r.workflow = "triage";
      r.step = step;
      r.variant = variant;
      r.mode = "hybrid";
      r.quality = q;
      r.cost_usd = cost;
      r.latency_ms = 100;
      r.unix_ms = at;
      lines += json::serialize(r.to_json()) + "\n";
    };
    for (int i = 0; i < 6; ++i) {
      add("classify", "traditional", 0.5, 0.001, now - 1000);
      add("classify", "dspy_optimized", 0.9, 0.001, now - 1000);
      // Old summarize records, older than a day.
      add("summarize", "traditional", 0.7, 0.001, now - 3LL * 86'400'000);
      add("summarize", "dspy_optimized", 0.71, 0.001, now - 3LL * 86'400'000);
    }
    records_ = write("records.jsonl", lines);
  }
  void TearDown() override { fs::remove_all(dir_); }
  ProcessResult pipeline(std::vector<std::string> args) {
    args.insert(args.begin(), PIPELINE_BINARY);
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_DATA_HOME", (dir_ / "data").string()},
                                 {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  std::string write(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  fs::path dir_;
  std::string wf_, records_;
};

TEST_F(CompareCliTest, JsonHasTheIssuesShapePerStep) {
  auto r = pipeline({"compare", wf_, "--records", records_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& steps = doc->at("steps").as_array();
  ASSERT_EQ(steps.size(), 2u);
  for (const auto& s : steps)
    for (const char* key :
         {"step", "traditional", "dspy_optimized", "difference", "recommendation", "reason"})
      EXPECT_TRUE(s.as_object().contains(key)) << key;
  EXPECT_EQ(steps[0].at("step"), "classify");
  EXPECT_EQ(steps[0].at("recommendation"), "recommend_dspy");
  EXPECT_EQ(steps[0].at("traditional").at("n"), 6);
  EXPECT_EQ(steps[1].at("recommendation"), "recommend_hybrid");
}

TEST_F(CompareCliTest, TextShowsBothVariantsSideBySide) {
  auto r = pipeline({"compare", wf_, "--records", records_, "--step", "classify"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("step classify\n"));
  EXPECT_THAT(r.out, HasSubstr("traditional"));
  EXPECT_THAT(r.out, HasSubstr("dspy_optimized"));
  EXPECT_THAT(r.out, HasSubstr("latency p95"));
  EXPECT_THAT(r.out, HasSubstr("recommend_dspy: DSPy provides better quality at reasonable cost"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("step summarize")));
}

TEST_F(CompareCliTest, SinceLeavesOutOlderRecordsAndNeedsMoreData) {
  auto r = pipeline({"compare", wf_, "--records", records_, "--since", "1d", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& s = doc->at("steps").at(1);
  EXPECT_EQ(s.at("traditional").at("n"), 0);
  EXPECT_EQ(s.at("recommendation"), "recommend_evaluation");
  EXPECT_EQ(s.at("samples_needed").at("dspy_optimized"), 5);
}

TEST_F(CompareCliTest, WithoutRecordsItReadsTheHistoryRunsLeft) {
  // Two traditional runs into the built-in sqlite history under XDG_DATA_HOME.
  for (int i = 0; i < 2; ++i) {
    auto run = pipeline({"run", wf_, "--quiet", "--output-dir", (dir_ / "out").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  auto r = pipeline({"compare", wf_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  const auto& c = doc->at("steps").at(0);
  EXPECT_EQ(c.at("step"), "classify");
  EXPECT_EQ(c.at("traditional").at("n"), 2);
  EXPECT_EQ(c.at("dspy_optimized").at("n"), 0);
  EXPECT_EQ(c.at("recommendation"), "recommend_evaluation");
}

TEST_F(CompareCliTest, BadInputExits2) {
  auto since = pipeline({"compare", wf_, "--records", records_, "--since", "yesterday"});
  EXPECT_EQ(since.exit_code, 2);
  EXPECT_THAT(since.err, HasSubstr("--since 'yesterday'"));
  auto step = pipeline({"compare", wf_, "--records", records_, "--step", "nope", "--json"});
  EXPECT_EQ(step.exit_code, 2);
  EXPECT_THAT(step.out, HasSubstr("has no step 'nope'"));
  auto bad = write("bad.jsonl", "{\"workflow\": \"triage\"}\n");
  auto rec = pipeline({"compare", wf_, "--records", bad});
  EXPECT_EQ(rec.exit_code, 2);
  EXPECT_THAT(rec.err, HasSubstr("bad.jsonl:1:"));
  auto missing = pipeline({"compare", (dir_ / "none.yaml").string(), "--records", records_});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace pipeline
