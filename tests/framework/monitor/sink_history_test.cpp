// SinkHistory reads a sink's query side: records come back as they were written, a row that is
// not a record is skipped and counted (never fatal), a sink error is a clear error.
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/monitor/sink_history.hpp>

#include <gtest/gtest.h>

#include "log_capture.hpp"
#include "monitor_test_support.hpp"

namespace pipeline::testing {
namespace {

class SinkHistoryTest : public ::testing::Test {
 protected:
  std::shared_ptr<MetricsSinkInstance> make(const std::string& component,
                                            const std::string& config) {
    auto s = host_->create_metrics_sink(component, config);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return s.ok() ? *s : nullptr;
  }
  TempDir dir_;
  std::unique_ptr<PluginHost> host_ = sink_plugin_host();
};

TEST_F(SinkHistoryTest, ARowThatIsNotARecordIsSkippedCountedAndLoggedOnce) {
  LogCapture logs;
  auto sink = make("fixture_sink", R"({"bad_rows": 2})");
  ASSERT_TRUE(sink->record(json::serialize(record_of("wf", "s", "traditional", 1).to_json())).ok());
  SinkHistory h(sink, "fixture");
  auto rows = h.query({.workflow = "wf"});
  ASSERT_TRUE(rows.ok()) << rows.status().to_string();
  EXPECT_EQ(rows->size(), 1u);
  EXPECT_EQ(h.skipped(), 2u);
  ASSERT_TRUE(h.query({.workflow = "wf"}).ok());
  EXPECT_EQ(h.skipped(), 4u);
  EXPECT_EQ(logs.count(spdlog::level::warn, "skipped a row"), 1u) << logs.dump();
}

TEST_F(SinkHistoryTest, ReadsBackWhatTheMonitorWroteIntoSqlite) {
  auto sink = make("sqlite", R"({"path": ")" + (dir_.path() / "h.sqlite").string() + R"("})");
  PerformanceMonitor monitor({{"history", sink}}, {});
  StepRecord r = record_of("wf", "s", "dspy_optimized", now_unix_ms(), 0.75);
  r.fallback_hops = 2;
  r.cache_hit = true;
  r.success = false;
  r.error_class = "timeout";
  r.program_id = "opt:v1:x";
  r.source = "evaluate";
  monitor.record(r);
  monitor.record(record_of("wf", "s", "traditional", now_unix_ms() + 1));
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(10)));
  SinkHistory h(sink, "history");
  auto rows = h.query({.workflow = "wf", .step = "s"});
  ASSERT_TRUE(rows.ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(json::serialize((*rows)[0].to_json()), json::serialize(r.to_json()));
  EXPECT_FALSE((*rows)[1].quality.has_value()) << "no quality stays no quality, not 0";
  EXPECT_EQ(h.skipped(), 0u);
}

TEST_F(SinkHistoryTest, ASinkThatCannotAnswerIsAnErrorNamingTheSink) {
  auto sink = make("fixture_sink", R"({"fail_query": true})");
  SinkHistory h(sink, "shared");
  auto rows = h.query({.workflow = "wf"});
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(rows.status().message().find("metrics sink 'shared'"), std::string::npos)
      << rows.status().message();
  EXPECT_NE(rows.status().message().find("on purpose"), std::string::npos);
}

}  // namespace
}  // namespace pipeline::testing
