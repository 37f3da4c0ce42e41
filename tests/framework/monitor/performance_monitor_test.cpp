// The monitor's promises: records reach every sink off the recording thread; a full queue drops
// and counts; a failing sink is counted and logged once and never fails a record; a stuck sink
// makes flush() time out instead of hanging; concurrent recorders lose nothing.
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/monitor/sink_history.hpp>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "log_capture.hpp"
#include "monitor_test_support.hpp"

namespace pipeline::testing {
namespace {

class PerformanceMonitorTest : public ::testing::Test {
 protected:
  MonitorSink sink(const std::string& name, const std::string& config = "{}") {
    auto s = host_->create_metrics_sink("fixture_sink", config);
    EXPECT_TRUE(s.ok()) << s.status().to_string();
    return {name, s.ok() ? *s : nullptr};
  }
  static std::size_t received(const MonitorSink& s) {
    auto rows = SinkHistory(s.instance, s.name).query({});
    EXPECT_TRUE(rows.ok()) << rows.status().to_string();
    return rows.ok() ? rows->size() : 0;
  }

  TempDir dir_;
  std::unique_ptr<PluginHost> host_ = sink_plugin_host();
};

TEST_F(PerformanceMonitorTest, EveryRecordReachesEverySinkAfterFlush) {
  auto a = sink("a");
  auto b = sink("b");
  PerformanceMonitor monitor({a, b}, {});
  for (int i = 0; i < 25; ++i) monitor.record(record_of("wf", "s", "traditional", 1000 + i));
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(10)));
  EXPECT_EQ(received(a), 25u);
  EXPECT_EQ(received(b), 25u);
  MonitorStats s = monitor.stats();
  EXPECT_EQ(s.recorded, 25u);
  EXPECT_EQ(s.written, 25u);
  EXPECT_EQ(s.dropped, 0u);
  ASSERT_EQ(s.sinks.size(), 2u);
  EXPECT_EQ(s.sinks[0].name, "a");
  EXPECT_EQ(s.sinks[0].written, 25u);
  EXPECT_EQ(s.sink_errors(), 0u);
}

TEST_F(PerformanceMonitorTest, AFullQueueDropsRecordsAndCountsThem) {
  Gate gate(dir_.path() / "gate");
  auto stuck = sink("stuck", R"({"gate_file": ")" + gate.file().string() + R"("})");
  const std::size_t queue_size = 4;
  PerformanceMonitor monitor({stuck}, {.queue_size = queue_size});
  for (int i = 0; i < 50; ++i) monitor.record(record_of("wf", "s", "traditional", i));
  // The worker holds at most one batch (<= queue_size) while the queue fills up again.
  MonitorStats s = monitor.stats();
  EXPECT_EQ(s.recorded + s.dropped, 50u);
  EXPECT_GE(s.dropped, 50u - 2 * queue_size);
  EXPECT_EQ(monitor.dropped(), s.dropped);
  gate.open();
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(10)));
  EXPECT_EQ(received(stuck), s.recorded) << "every accepted record is delivered";
}

TEST_F(PerformanceMonitorTest, AFailingSinkIsCountedAndLoggedOnceWhileTheOthersGetEverything) {
  LogCapture logs;
  auto bad = sink("bad", R"({"fail_records": true, "fail_flush": true})");
  auto good = sink("good");
  PerformanceMonitor monitor({bad, good}, {});
  for (int i = 0; i < 10; ++i) monitor.record(record_of("wf", "s", "traditional", i));
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(10)));
  MonitorStats s = monitor.stats();
  EXPECT_EQ(received(good), 10u);
  EXPECT_EQ(s.sinks[0].written, 0u);
  EXPECT_GE(s.sinks[0].errors, 11u) << "10 records and at least one flush";
  EXPECT_NE(s.sinks[0].last_error.find("on purpose"), std::string::npos) << s.sinks[0].last_error;
  EXPECT_EQ(s.sinks[1].errors, 0u);
  EXPECT_EQ(logs.count(spdlog::level::warn, "metrics sink 'bad'"), 1u) << logs.dump();
}

TEST_F(PerformanceMonitorTest, FlushGivesUpAfterItsTimeoutOnAStuckSink) {
  Gate gate(dir_.path() / "gate");
  auto stuck = sink("stuck", R"({"gate_file": ")" + gate.file().string() + R"("})");
  PerformanceMonitor monitor({stuck}, {});
  monitor.record(record_of("wf", "s", "traditional", 1));
  EXPECT_FALSE(monitor.flush(std::chrono::milliseconds(30)));
  gate.open();
  EXPECT_TRUE(monitor.flush(std::chrono::seconds(10)));
  EXPECT_EQ(received(stuck), 1u);
}

TEST_F(PerformanceMonitorTest, RecordDoesNotWaitForAStuckSink) {
  Gate gate(dir_.path() / "gate");
  auto stuck = sink("stuck", R"({"gate_file": ")" + gate.file().string() + R"("})");
  PerformanceMonitor monitor({stuck}, {.queue_size = 100});
  // If record() waited for the sink, this loop would not end until the gate opens (it never
  // would: the gate opens after the loop).
  for (int i = 0; i < 100; ++i) monitor.record(record_of("wf", "s", "traditional", i));
  EXPECT_EQ(monitor.stats().recorded + monitor.dropped(), 100u);
  gate.open();
  EXPECT_TRUE(monitor.flush(std::chrono::seconds(10)));
}

TEST_F(PerformanceMonitorTest, ConcurrentRecordersLoseNothing) {
  auto a = sink("a");
  PerformanceMonitor monitor({a}, {.queue_size = 10000});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&monitor, t] {
      for (int i = 0; i < 500; ++i)
        monitor.record(record_of("wf", "s" + std::to_string(t), "traditional", i));
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(monitor.flush(std::chrono::seconds(20)));
  EXPECT_EQ(monitor.stats().recorded, 2000u);
  EXPECT_EQ(received(a), 2000u);
}

TEST_F(PerformanceMonitorTest, TheMemoryHistorySeesARecordAtOnce) {
  auto memory = std::make_shared<MemoryHistory>();
  PerformanceMonitor monitor({}, {.memory = memory});
  monitor.record(record_of("wf", "s", "dspy_optimized", 5, 0.5));
  auto rows = memory->query({.workflow = "wf"});
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].variant, "dspy_optimized");
  EXPECT_TRUE(monitor.flush(std::chrono::milliseconds(1))) << "no sinks: nothing to wait for";
  EXPECT_EQ(monitor.stats().recorded, 1u);
}

TEST_F(PerformanceMonitorTest, StoppingDropsWhatIsStillQueuedInsteadOfWaitingForIt) {
  Gate gate(dir_.path() / "gate");
  auto stuck = sink("stuck", R"({"gate_file": ")" + gate.file().string() + R"("})");
  auto monitor = std::make_unique<PerformanceMonitor>(std::vector<MonitorSink>{stuck},
                                                      PerformanceMonitor::Options{});
  for (int i = 0; i < 20; ++i) monitor->record(record_of("wf", "s", "traditional", i));
  EXPECT_EQ(monitor->stats().recorded, 20u);
  // The destructor waits for the one record call in flight; the gate opens well after it began.
  std::thread opener([&gate] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    gate.open();
  });
  monitor.reset();
  opener.join();
  EXPECT_LT(received(stuck), 20u) << "records still queued at stop are not delivered";
}

}  // namespace
}  // namespace pipeline::testing
