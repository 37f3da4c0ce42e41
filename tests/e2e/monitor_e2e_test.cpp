// End to end: the `pipeline` binary records every executed step into the history under
// $XDG_DATA_HOME (never the user's home in a test), configured sinks that fail or are slow never
// fail or hold a run, a corrupt history is a clear error (configured) or a warning (built in),
// and `pipeline evaluate` records its scored examples.
#include "process.hpp"

#include <pipeline/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ProcessResult;

// Rows of a query over the history file, each row's columns joined by '|'.
std::vector<std::string> sql(const fs::path& db, const std::string& query) {
  std::vector<std::string> rows;
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return {"error: cannot open " + db.string()};
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(h, query.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    rows.push_back(std::string("error: ") + sqlite3_errmsg(h));
  } else {
    while (sqlite3_step(s) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const unsigned char* t = sqlite3_column_text(s, i);
        row += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      rows.push_back(row);
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(h);
  return rows;
}

class MonitorCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("pipeline-monitor-e2e-" + std::to_string(::getpid()) + "-" +
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
                                 {"XDG_DATA_HOME", (dir_ / "data").string()},
                                 {"TEST_MODE", ""}},
                                PIPELINE_SOURCE_DIR);
  }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p;
  }
  // A host config with the fixture sinks' folder on the search path and this metrics section.
  fs::path host(const std::string& metrics) {
    return write("host.yaml", "plugins:\n  search_paths: [" +
                                  std::string(PIPELINE_SINK_PLUGIN_DIR) + "]\nmetrics:\n" +
                                  metrics);
  }
  std::vector<std::string> run_hello(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> a = {"run", "examples/hello.yaml", "--output-dir",
                                  (dir_ / "out").string()};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  fs::path history() const { return dir_ / "data" / "pipeline" / "history.sqlite"; }

  fs::path dir_;
};

TEST_F(MonitorCliTest, EveryExecutedStepIsRecordedInTheDefaultHistory) {
  auto r = pipeline(run_hello({"-q"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(history())) << "the built-in history under $XDG_DATA_HOME/pipeline";
  EXPECT_THAT(
      sql(history(), "SELECT step, mode, variant, source, success FROM step_records ORDER BY id"),
      ::testing::ElementsAre("set_tone|traditional|traditional|run|1",
                             "greet|traditional|traditional|run|1",
                             "summarize|traditional|traditional|run|1"));
  EXPECT_THAT(sql(history(),
                  "SELECT DISTINCT workflow, provider FROM step_records WHERE step = "
                  "'greet'"),
              ::testing::ElementsAre("hello|mock"));
  // A second run adds its own records: the history is shared across runs.
  ASSERT_EQ(pipeline(run_hello({"-q"})).exit_code, 0);
  EXPECT_THAT(sql(history(), "SELECT count(*), count(DISTINCT run_id) FROM step_records"),
              ::testing::ElementsAre("6|2"));
  EXPECT_EQ(r.err, "") << "nothing to report when every record arrived";
}

TEST_F(MonitorCliTest, TheHistoryDoesNotChangeTheJsonResult) {
  // --cache off: the second run would otherwise be answered from the first one's cache.
  auto with = pipeline(run_hello({"--json", "--cache", "off"}));
  auto cfg = write("none.yaml", "metrics:\n  sinks: {}\n");
  auto without = pipeline(run_hello({"--json", "--cache", "off", "-c", cfg.string()}));
  ASSERT_EQ(with.exit_code, 0) << with.err;
  ASSERT_EQ(without.exit_code, 0) << without.err;
  auto a = parse_json(with.out), b = parse_json(without.out);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(json::serialize(a->at("results")), json::serialize(b->at("results")));
  EXPECT_EQ(json::serialize(a->at("warnings")), json::serialize(b->at("warnings")));
  const auto& sa = a->at("steps").as_array();
  const auto& sb = b->at("steps").as_array();
  ASSERT_EQ(sa.size(), sb.size());
  for (std::size_t i = 0; i < sa.size(); ++i) {
    std::vector<std::string> ka, kb;
    for (const auto& kv : sa[i].at("record").as_object()) ka.emplace_back(kv.key());
    for (const auto& kv : sb[i].at("record").as_object()) kb.emplace_back(kv.key());
    EXPECT_EQ(ka, kb);
  }
}

TEST_F(MonitorCliTest, AFailingSinkIsReportedButNeverFailsTheRun) {
  auto cfg = host(
      "  sinks:\n    bad: {plugin: fixture_sink, fail_records: true}\n"
      "    history: {plugin: sqlite, path: h.sqlite}\n");
  auto r = pipeline(run_hello({"-c", cfg.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("metrics: sink 'bad': 3 failed call(s); last: record: fixture "
                               "sink: records fail on purpose"));
  EXPECT_THAT(sql(dir_ / "h.sqlite", "SELECT count(*) FROM step_records"),
              ::testing::ElementsAre("3"))
      << "the other sink got every record; a relative path is relative to the config file";
  EXPECT_FALSE(fs::exists(history())) << "a metrics section replaces the built-in history";
}

TEST_F(MonitorCliTest, ASlowSinkHoldsTheExitNoLongerThanTheFlushTimeout) {
  auto cfg = host(
      "  sinks:\n    slow: {plugin: fixture_sink, delay_ms: 400}\n"
      "  flush_timeout_ms: 50\n");
  auto r = pipeline(run_hello({"-q", "-c", cfg.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("step record(s) dropped (the metrics sinks were slower than the "
                               "steps, or did not take them within metrics.flush_timeout_ms = 50"));
}

TEST_F(MonitorCliTest, AConfiguredCorruptHistoryIsBadInputNamingTheFile) {
  auto db = write("corrupt.sqlite", "this is not an SQLite file, only text that is long enough");
  auto cfg = host("  sinks:\n    history: {plugin: sqlite, path: " + db.string() + "}\n");
  auto r = pipeline(run_hello({"-c", cfg.string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(cfg.string() + ":5:5: error: metrics.sinks.history: "));
  EXPECT_THAT(r.err, HasSubstr("refused its config: sqlite metrics sink: '" + db.string() + "'"));
  EXPECT_THAT(r.err, HasSubstr("not a readable SQLite history; move it away"));
}

TEST_F(MonitorCliTest, ACorruptDefaultHistoryIsAWarningAndTheRunGoesOn) {
  fs::create_directories(history().parent_path());
  std::ofstream(history()) << "this is not an SQLite file, only text that is long enough";
  auto r = pipeline(run_hello());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning: metrics: the built-in history is not available"));
}

TEST_F(MonitorCliTest, EvaluateRecordsItsScoredExamples) {
  auto r = pipeline({"evaluate", "examples/dspy/qa.yaml", "--step", "answer", "-c",
                     "examples/dspy/host-mock-dspy.yaml", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto dspy = pipeline({"evaluate", "examples/dspy/qa.yaml", "--step", "answer", "-c",
                        "examples/dspy/host-mock-dspy.yaml", "--data", "examples/dspy/qa_dev.jsonl",
                        "--mode", "dspy_optimized", "--quiet"});
  ASSERT_EQ(dspy.exit_code, 0) << dspy.err;
  EXPECT_THAT(sql(history(),
                  "SELECT variant, mode, source, count(*), sum(quality), "
                  "count(DISTINCT signature_hash), min(length(signature_hash)) > 0, "
                  "max(program_id != '') FROM step_records GROUP BY variant ORDER BY "
                  "variant"),
              ::testing::ElementsAre("dspy_optimized|dspy_optimized|evaluate|4|3.0|1|1|1",
                                     "traditional|traditional|evaluate|3|2.0|1|1|0"));
  EXPECT_THAT(sql(history(), "SELECT count(DISTINCT signature_hash) FROM step_records"),
              ::testing::ElementsAre("1"))
      << "both variants under the step's one signature";
  EXPECT_THAT(sql(history(),
                  "SELECT DISTINCT workflow, step, metric LIKE 'exact_match%' FROM "
                  "step_records"),
              ::testing::ElementsAre("dspy_qa|answer|1"));
}

TEST_F(MonitorCliTest, PluginCheckCreatesTheSqliteSinkWithoutAFile) {
  auto r = pipeline(
      {"plugins", "--check", std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_metrics_sqlite.so"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("sqlite"));
  EXPECT_THAT(r.out, Not(HasSubstr("failed")));
}

}  // namespace
}  // namespace pipeline
