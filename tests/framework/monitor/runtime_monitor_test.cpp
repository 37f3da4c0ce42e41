// The runtime's monitor and history, through real runs: one record per top-level step that ran
// (not per sub-step, not for a skipped step), the episode, the variant, failures recorded with
// their class; the history is the configured sink's query side or, without one, memory; a
// failing sink never fails a run; a configured sink that cannot start is a config error.
#include <pipeline/monitor/memory_history.hpp>
#include <pipeline/monitor/sink_history.hpp>

#include <gtest/gtest.h>

#include <fstream>

#include "monitor_test_support.hpp"
#include "workflow_harness.hpp"

namespace pipeline::testing {
namespace {

const char* kThreeSteps = R"(workflow:
  name: recorded
  global_vars: {items: [a, b]}
  steps:
    - name: ask
      type: claude
      prompt: [{type: static, content: "hello"}]
    - name: never
      type: set_variable
      condition: "false"
      variables: {x: 1}
    - name: each
      type: for_loop
      iterator: item
      data_source: global_vars.items
      steps:
        - name: inner
          type: claude
          prompt: [{type: static, content: "item {{loop.item}}"}]
)";

HostConfig with_sinks(const std::string& metrics_yaml) {
  HostConfig cfg = test_host_config();
  cfg.plugin_allowlist.push_back("control_steps");
  cfg.plugin_allowlist.push_back("fixture_sinks");
  cfg.plugin_allowlist.push_back("metrics_sqlite");
  cfg.plugin_search_paths.push_back(PIPELINE_SINK_PLUGIN_DIR);
  Diagnostics d;
  auto doc = load_yaml_string(metrics_yaml, "host.yaml", d);
  EXPECT_TRUE(doc && !d.has_errors()) << d.format();
  if (doc) apply_host_config(*doc, "host.yaml", cfg, d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  return cfg;
}

struct Started {
  std::unique_ptr<Loaded> loaded;
  Diagnostics start;
  bool ok = false;
};

Started start(const std::string& yaml, HostConfig cfg) {
  Started s;
  s.loaded = load(yaml, std::move(cfg));
  EXPECT_FALSE(s.loaded->diags.has_errors()) << s.loaded->diags.format();
  s.ok = s.loaded->runtime->start(s.start);
  return s;
}

std::vector<StepRecord> records(const Runtime& rt, const std::string& workflow) {
  auto rows = rt.history()->query({.workflow = workflow});
  EXPECT_TRUE(rows.ok()) << rows.status().to_string();
  return rows.ok() ? *rows : std::vector<StepRecord>{};
}

TEST(RuntimeMonitor, OneRecordPerTopLevelStepThatRan) {
  HostConfig cfg = test_host_config();
  cfg.plugin_allowlist.push_back("control_steps");
  auto s = start(kThreeSteps, cfg);
  ASSERT_TRUE(s.ok) << s.start.format();
  Runtime& rt = *s.loaded->runtime;
  ASSERT_NE(rt.monitor(), nullptr);
  ASSERT_NE(dynamic_cast<const MemoryHistory*>(rt.history()), nullptr)
      << "no history sink: the runtime keeps its own runs in memory";
  Executor ex(rt, {});
  RunResult r = ex.run(*s.loaded->workflow);
  ASSERT_TRUE(r.success) << r.error;
  auto rows = records(rt, "recorded");
  ASSERT_EQ(rows.size(), 2u) << "ask and each; not the skipped step, not the loop's sub-steps";
  EXPECT_EQ(rows[0].step, "ask");
  EXPECT_EQ(rows[1].step, "each");
  for (const auto& row : rows) {
    EXPECT_EQ(row.run_id, ex.run_id());
    EXPECT_EQ(row.episode, ex.run_id()) << "no episode given: the run id";
    EXPECT_EQ(row.mode, "traditional");
    EXPECT_EQ(row.variant, "traditional");
    EXPECT_EQ(row.source, "run");
    EXPECT_TRUE(row.success);
    EXPECT_GT(row.unix_ms, 0);
  }
  EXPECT_EQ(rows[0].provider, "mock");
  EXPECT_EQ(rows[1].input_tokens, r.steps[2].record.calls.input_tokens)
      << "the loop's record holds its sub-steps' calls";
  EXPECT_GT(rows[1].input_tokens, 0);
}

TEST(RuntimeMonitor, TheEpisodeIsRecordedWhenGiven) {
  auto s = start(kThreeSteps, with_sinks("metrics: {sinks: {}}"));
  ASSERT_TRUE(s.ok) << s.start.format();
  ExecutorOptions opts;
  opts.episode = "ep-42";
  RunResult r = Executor(*s.loaded->runtime, std::move(opts)).run(*s.loaded->workflow);
  ASSERT_TRUE(r.success) << r.error;
  for (const auto& row : records(*s.loaded->runtime, "recorded")) EXPECT_EQ(row.episode, "ep-42");
}

TEST(RuntimeMonitor, AFailedStepIsRecordedWithItsErrorClass) {
  auto s = start(R"(workflow:
  name: failing
  steps:
    - name: boom
      type: throws
)",
                 [] {
                   HostConfig cfg = test_host_config();
                   return cfg;
                 }());
  ASSERT_TRUE(s.ok) << s.start.format();
  RunResult r = Executor(*s.loaded->runtime, {}).run(*s.loaded->workflow);
  ASSERT_FALSE(r.success);
  auto rows = records(*s.loaded->runtime, "failing");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].success);
  EXPECT_EQ(rows[0].error_class, r.steps[0].record.error_class);
  EXPECT_FALSE(rows[0].error_class.empty());
}

TEST(RuntimeMonitor, TheConfiguredHistorySinkIsReadAcrossRuntimes) {
  TempDir dir;
  const std::string yaml = "metrics:\n  sinks:\n    history: {plugin: sqlite, path: " +
                           (dir.path() / "h.sqlite").string() + "}\n";
  {
    auto s = start(kThreeSteps, with_sinks(yaml));
    ASSERT_TRUE(s.ok) << s.start.format();
    ASSERT_NE(dynamic_cast<const SinkHistory*>(s.loaded->runtime->history()), nullptr);
    ASSERT_TRUE(Executor(*s.loaded->runtime, {}).run(*s.loaded->workflow).success);
    // The runtime flushes the monitor when it goes.
  }
  auto s = start(kThreeSteps, with_sinks(yaml));
  ASSERT_TRUE(s.ok) << s.start.format();
  EXPECT_EQ(records(*s.loaded->runtime, "recorded").size(), 2u) << "the first runtime's records";
}

TEST(RuntimeMonitor, AFailingSinkNeverFailsARun) {
  auto s = start(kThreeSteps, with_sinks(R"(metrics:
  sinks:
    bad: {plugin: fixture_sink, fail_records: true, fail_flush: true}
    good: {plugin: fixture_sink}
  history: good
)"));
  ASSERT_TRUE(s.ok) << s.start.format();
  Runtime& rt = *s.loaded->runtime;
  RunResult r = Executor(rt, {}).run(*s.loaded->workflow);
  ASSERT_TRUE(r.success) << r.error;
  ASSERT_TRUE(rt.monitor()->flush(std::chrono::seconds(10)));
  MonitorStats st = rt.monitor()->stats();
  ASSERT_EQ(st.sinks.size(), 2u);
  EXPECT_EQ(st.sinks[0].name, "bad");
  EXPECT_GE(st.sinks[0].errors, 2u);
  EXPECT_EQ(st.sinks[1].written, 2u);
  EXPECT_EQ(records(rt, "recorded").size(), 2u);
}

TEST(RuntimeMonitor, ASlowSinkOnlyFillsTheQueue) {
  TempDir dir;
  Gate gate(dir.path() / "gate");
  auto s = start(kThreeSteps, with_sinks("metrics:\n  queue_size: 1\n  sinks:\n    stuck: "
                                         "{plugin: fixture_sink, gate_file: " +
                                         gate.file().string() + "}\n"));
  ASSERT_TRUE(s.ok) << s.start.format();
  Runtime& rt = *s.loaded->runtime;
  // The sink is stuck for the whole of these runs: they finish anyway.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Executor(rt, {}).run(*s.loaded->workflow).success);
  MonitorStats st = rt.monitor()->stats();
  EXPECT_EQ(st.recorded + st.dropped, 6u);
  EXPECT_GE(st.dropped, 4u) << "one in the sink's hands, one queued, the rest dropped";
  gate.open();
}

TEST(RuntimeMonitor, AConfiguredSinkThatCannotStartIsAConfigErrorNamingIt) {
  TempDir dir;
  std::ofstream(dir.path() / "corrupt.sqlite") << "not a database, just text that is long enough";
  auto s = start(kThreeSteps, with_sinks("metrics:\n  sinks:\n    history: {plugin: sqlite, "
                                         "path: " +
                                         (dir.path() / "corrupt.sqlite").string() + "}\n"));
  EXPECT_FALSE(s.ok);
  const std::string out = s.start.format();
  EXPECT_NE(out.find("host.yaml:3:5: error: metrics.sinks.history: "), std::string::npos) << out;
  EXPECT_NE(out.find("refused its config: sqlite metrics sink: '" +
                     (dir.path() / "corrupt.sqlite").string() + "'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("not a readable SQLite history"), std::string::npos) << out;

  auto missing = start(kThreeSteps, with_sinks("metrics:\n  sinks:\n    x: {plugin: nosuch}\n"));
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.start.format().find("metrics.sinks.x: no metrics sink plugin 'nosuch' is "
                                        "loaded (loaded sinks: fixture_sink, sqlite"),
            std::string::npos)
      << missing.start.format();
}

TEST(RuntimeMonitor, ABrokenBuiltInHistoryIsAWarningAndTheRunGoesOn) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "pipeline");
  std::ofstream(dir.path() / "pipeline" / "history.sqlite")
      << "not a database, just text that is long enough";
  HostConfig cfg = with_sinks("{}");
  cfg.metrics = MetricsConfig::builtin_default();
  cfg.metrics.sinks["history"].settings["path"] =
      (dir.path() / "pipeline" / "history.sqlite").string();
  auto s = start(kThreeSteps, cfg);
  ASSERT_TRUE(s.ok) << s.start.format();
  EXPECT_NE(s.start.format().find("warning: metrics: the built-in history is not available"),
            std::string::npos)
      << s.start.format();
  ASSERT_TRUE(Executor(*s.loaded->runtime, {}).run(*s.loaded->workflow).success);
  EXPECT_EQ(records(*s.loaded->runtime, "recorded").size(), 2u) << "kept in memory instead";
}

}  // namespace
}  // namespace pipeline::testing
