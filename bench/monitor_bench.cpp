// The monitor's record path: what record() costs the step's thread, how many records per second
// reach the sqlite sink through the monitor (queue, worker, JSON, the plugin's batched inserts),
// the plugin call alone, and a history query of the router's shape over 10,000 records.
// Results: docs/performance.md, "Performance monitor".
//
//   build/bench/monitor_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/monitor/sink_history.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <benchmark/benchmark.h>

#include "sample_step_record.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace pipeline;

class Environment {
 public:
  static Environment& get() {
    static Environment env;
    return env;
  }
  std::shared_ptr<MetricsSinkInstance> sqlite(const std::string& file) {
    auto s = host_.create_metrics_sink(
        "sqlite", R"({"path": ")" + (dir_ / file).string() + R"(", "max_records": 0})");
    if (!s) std::abort();
    return *s;
  }
  ~Environment() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

 private:
  Environment() {
    fs::create_directories(dir_);
    if (!host_.load_file(fs::path(PIPELINE_PLUGIN_DIR) / "libpipeline_metrics_sqlite.so").ok())
      std::abort();
  }
  fs::path dir_ =
      fs::temp_directory_path() / ("pipeline-monitor-bench-" + std::to_string(::getpid()));
  PluginHost host_;
};

StepRecord sample(int i) {
  return bench::sample_step_record(i);
}

// The step thread's cost: record() into a queue that a worker drains into sqlite.
void BM_RecordCall(benchmark::State& state) {
  auto sink = Environment::get().sqlite("record_call.sqlite");
  PerformanceMonitor monitor({{"history", sink}}, {.queue_size = 1u << 22});
  int i = 0;
  for (auto _ : state) monitor.record(sample(i++));
  state.counters["dropped"] = static_cast<double>(monitor.dropped());
  monitor.flush(std::chrono::seconds(60));
}
BENCHMARK(BM_RecordCall)->Iterations(20000);

// Records per second into the sqlite file through the whole path, flush (commit) included.
void BM_MonitorIntoSqlite(benchmark::State& state) {
  auto sink = Environment::get().sqlite("throughput.sqlite");
  PerformanceMonitor monitor({{"history", sink}}, {.queue_size = 1u << 20});
  const int n = static_cast<int>(state.range(0));
  int i = 0;
  for (auto _ : state) {
    for (int k = 0; k < n; ++k) monitor.record(sample(i++));
    if (!monitor.flush(std::chrono::seconds(60))) state.SkipWithError("flush timed out");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["dropped"] = static_cast<double>(monitor.dropped());
}
BENCHMARK(BM_MonitorIntoSqlite)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The plugin call alone (the record's JSON through the ABI into a batched insert).
void BM_SqliteSinkRecord(benchmark::State& state) {
  auto sink = Environment::get().sqlite("direct.sqlite");
  const std::string doc = json::serialize(sample(1).to_json());
  for (auto _ : state) {
    if (!sink->record(doc).ok()) state.SkipWithError("record failed");
  }
  (void)sink->flush();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteSinkRecord);

// The router's read: one step's records of one signature, the newest 500, from 10,000.
void BM_HistoryQuery(benchmark::State& state) {
  auto sink = Environment::get().sqlite("query.sqlite");
  static bool filled = false;  // once: repetitions share the file
  if (!filled) {
    for (int i = 0; i < 10000; ++i) (void)sink->record(json::serialize(sample(i).to_json()));
    (void)sink->flush();
    filled = true;
  }
  SinkHistory history(sink, "history");
  for (auto _ : state) {
    auto rows = history.query(
        {.workflow = "bench", .step = "step3", .signature_hash = "5f3c9a1e0b7d2468", .limit = 500});
    if (!rows || rows->size() != 500) state.SkipWithError("unexpected answer");
    benchmark::DoNotOptimize(rows);
  }
}
BENCHMARK(BM_HistoryQuery)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
