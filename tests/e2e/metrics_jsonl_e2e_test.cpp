// End to end: `pipeline run` with a host config naming a jsonl sink writes one line per step
// record (a relative path next to the config file), a bad jsonl sink setting is bad input
// (exit 2) naming the setting, and `pipeline plugins --check` creates the sink.
#include "process.hpp"

#include <pipeline/json.hpp>
#include <pipeline/monitor/step_record.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

class MetricsJsonlCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-jsonl-e2e-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ProcessResult pipeline(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/timeout", "-s", "KILL", "60", PIPELINE_BINARY});
    return testing::run_process(args,
                                {{"PIPELINE_CONFIG", ""},
                                 {"XDG_CONFIG_HOME", dir_.string()},
                                 {"XDG_CACHE_HOME", (dir_ / "cache").string()},
                                 {"XDG_DATA_HOME", (dir_ / "data").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  fs::path host(const std::string& sink) {
    fs::path p = dir_ / "host.yaml";
    std::ofstream(p) << "metrics:\n  sinks:\n    audit: " << sink << "\n";
    return p;
  }
  std::vector<std::string> run_hello(const fs::path& cfg) {
    return {"run",          "examples/hello.yaml",  "-q", "-c", cfg.string(),
            "--output-dir", (dir_ / "out").string()};
  }

  fs::path dir_;
};

std::vector<StepRecord> records_in(const fs::path& file) {
  std::vector<StepRecord> out;
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto doc = parse_json(line);
    auto rec = doc.ok() ? StepRecord::from_json(*doc) : Result<StepRecord>(doc.status());
    EXPECT_TRUE(rec.ok()) << file << ":" << n << ": " << rec.status().to_string();
    if (rec.ok()) out.push_back(*rec);
  }
  return out;
}

TEST_F(MetricsJsonlCliTest, PipelineRunWritesOneLinePerStepRecord) {
  auto cfg = host("{plugin: jsonl, path: logs/records.jsonl}");
  for (int run = 0; run < 2; ++run) {
    auto r = pipeline(run_hello(cfg));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "") << "every record arrived";
  }
  const fs::path file = dir_ / "logs" / "records.jsonl";
  ASSERT_TRUE(fs::exists(file)) << "a relative path is relative to the config file";
  auto recs = records_in(file);
  ASSERT_EQ(recs.size(), 6u) << "hello has three steps, and it ran twice";
  std::vector<std::string> steps;
  std::set<std::string> runs;
  for (const auto& r : recs) {
    EXPECT_EQ(r.workflow, "hello");
    EXPECT_EQ(r.source, "run");
    steps.push_back(r.step);
    runs.insert(r.run_id);
  }
  EXPECT_THAT(steps, ::testing::ElementsAre("set_tone", "greet", "summarize", "set_tone", "greet",
                                            "summarize"));
  EXPECT_EQ(runs.size(), 2u);
  EXPECT_FALSE(fs::exists(dir_ / "data" / "pipeline" / "history.sqlite"))
      << "a metrics section replaces the built-in history";
}

TEST_F(MetricsJsonlCliTest, ABadSettingIsBadInputNamingIt) {
  auto cfg = host("{plugin: jsonl, path: records.jsonl, rotate: daily}");
  auto r = pipeline(run_hello(cfg));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(cfg.string() + ":3:5: error: metrics.sinks.audit: "));
  EXPECT_THAT(r.err, HasSubstr("jsonl metrics sink: unknown config key 'rotate'"));

  cfg = host("{plugin: jsonl, path: records.jsonl, max_bytes: 10MB}");
  r = pipeline(run_hello(cfg));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'max_bytes' must be an integer"));
}

TEST_F(MetricsJsonlCliTest, AnUnwritableFolderIsBadInputNamingThePath) {
  std::ofstream(dir_ / "plain") << "a file where the folder should be";
  auto cfg = host("{plugin: jsonl, path: plain/records.jsonl}");
  auto r = pipeline(run_hello(cfg));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("metrics.sinks.audit: "));
  EXPECT_THAT(r.err, HasSubstr("cannot create the folder of 'path' (" + (dir_ / "plain").string()));
  EXPECT_FALSE(fs::exists(dir_ / "out" / "hello")) << "nothing ran";
}

TEST_F(MetricsJsonlCliTest, PluginCheckCreatesTheJsonlSink) {
  auto r = pipeline(
      {"plugins", "--check", std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_metrics_jsonl.so"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("jsonl"));
  EXPECT_THAT(r.out, Not(HasSubstr("failed")));
}

}  // namespace
}  // namespace pipeline
