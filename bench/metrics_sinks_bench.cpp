// Records per second into each metrics sink, loaded as its .so through PluginHost as a run loads
// it: the plugin call alone (the record's JSON through the ABI, the sink's buffering and its
// writes, a flush every 256 records as the monitor's worker does under load), and the whole path
// from PerformanceMonitor::record() to the sink (queue, worker thread, JSON, flush).
// Results: docs/performance.md.
//
//   build/bench/metrics_sinks_bench --benchmark_repetitions=3
//
// Each sink is one entry of sink_cases() (plugin file, component, config); an entry whose
// plugin is not built, or whose config cannot be made here (a server it needs is absent), is
// reported as skipped. To add a sink, add its entry. The postgres case needs a server: set
// PIPELINE_BENCH_PG_DSN (a libpq conninfo, e.g. "host=127.0.0.1 port=5432 user=pipeline
// dbname=postgres") to run it.
//
// BM_StepThread is the issue's per-step figure: what a step's own thread spends handing its
// record to the monitor (building the record and record()) with no sink and with all four sinks
// on, measured side by side in one process; the sinks' work runs on the monitor's worker.
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <benchmark/benchmark.h>

#include "sample_step_record.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace pipeline;

struct SinkCase {
  const char* name;       // the benchmark's label
  const char* library;    // in the build's plugin folder
  const char* component;  // the metrics sink component
  // The config, given a fresh folder for the sink's files (nothing: skip, and why).
  std::function<std::optional<std::string>(const fs::path& dir, std::string& why)> config;
};

std::string path_config(const fs::path& file, const std::string& extra = "") {
  return R"({"path": ")" + file.string() + "\"" + (extra.empty() ? "" : ", " + extra) + "}";
}

const std::vector<SinkCase>& sink_cases() {
  static const std::vector<SinkCase> cases = {
      {"jsonl", "libpipeline_metrics_jsonl.so", "jsonl",
       [](const fs::path& dir, std::string&) { return path_config(dir / "audit.jsonl"); }},
      // Rotation on: a rename and a prune every 4 MiB.
      {"jsonl_rotating", "libpipeline_metrics_jsonl.so", "jsonl",
       [](const fs::path& dir, std::string&) {
         return path_config(dir / "audit.jsonl", R"("max_bytes": 4194304, "max_files": 2)");
       }},
      {"sqlite", "libpipeline_metrics_sqlite.so", "sqlite",
       [](const fs::path& dir, std::string&) {
         return path_config(dir / "history.sqlite", R"("max_records": 0)");
       }},
      // The node_exporter textfile: the exposition rewritten atomically at each flush.
      {"prometheus", "libpipeline_metrics_prometheus.so", "prometheus",
       [](const fs::path& dir, std::string&) -> std::optional<std::string> {
         return R"({"textfile": ")" + (dir / "pipeline.prom").string() + "\"}";
       }},
      {"postgres", "libpipeline_metrics_postgres.so", "postgres",
       [](const fs::path&, std::string& why) -> std::optional<std::string> {
         const char* dsn = std::getenv("PIPELINE_BENCH_PG_DSN");
         if (dsn == nullptr || *dsn == '\0') {
           why = "PIPELINE_BENCH_PG_DSN is not set (a PostgreSQL server to write into)";
           return std::nullopt;
         }
         return json::serialize(json::object{{"dsn", dsn}});
       }},
  };
  return cases;
}

class Environment {
 public:
  static Environment& get() {
    static Environment env;
    return env;
  }
  // A new instance of the case's sink on files of its own; null (and `why`) when it cannot run.
  std::shared_ptr<MetricsSinkInstance> sink(const SinkCase& c, std::string& why) {
    const fs::path so = fs::path(PIPELINE_PLUGIN_DIR) / c.library;
    if (!host_.find(PL_KIND_METRICS_SINK, c.component)) {
      if (!fs::exists(so)) {
        why = so.string() + " is not built";
        return nullptr;
      }
      if (Status st = host_.load_file(so); !st.ok()) {
        why = st.to_string();
        return nullptr;
      }
    }
    const fs::path dir = dir_ / (std::string(c.name) + "-" + std::to_string(++instances_));
    fs::create_directories(dir);
    auto config = c.config(dir, why);
    if (!config) return nullptr;
    auto s = host_.create_metrics_sink(c.component, *config);
    if (!s) {
      why = s.status().to_string();
      return nullptr;
    }
    return *s;
  }
  ~Environment() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

 private:
  Environment() { fs::create_directories(dir_); }
  fs::path dir_ =
      fs::temp_directory_path() / ("pipeline-sinks-bench-" + std::to_string(::getpid()));
  int instances_ = 0;
  PluginHost host_;
};

StepRecord sample(int i) {
  return bench::sample_step_record(i);
}

// The plugin call alone, with a flush every 256 records.
void BM_SinkRecord(benchmark::State& state, const SinkCase& c) {
  std::string why;
  auto sink = Environment::get().sink(c, why);
  if (!sink) {
    state.SkipWithError(("skipped: " + why).c_str());
    return;
  }
  const std::string doc = json::serialize(sample(1).to_json());
  int i = 0;
  for (auto _ : state) {
    if (!sink->record(doc).ok()) state.SkipWithError("record failed");
    if (++i % 256 == 0 && !sink->flush().ok()) state.SkipWithError("flush failed");
  }
  if (!sink->flush().ok()) state.SkipWithError("flush failed");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(doc.size() + 1));
}

// The whole path: record() on the step's thread, the monitor's worker into the sink, flushed.
void BM_MonitorIntoSink(benchmark::State& state, const SinkCase& c) {
  std::string why;
  auto sink = Environment::get().sink(c, why);
  if (!sink) {
    state.SkipWithError(("skipped: " + why).c_str());
    return;
  }
  PerformanceMonitor monitor({{c.name, sink}}, {.queue_size = 1u << 20});
  const int n = static_cast<int>(state.range(0));
  int i = 0;
  for (auto _ : state) {
    for (int k = 0; k < n; ++k) monitor.record(sample(i++));
    if (!monitor.flush(std::chrono::seconds(60))) state.SkipWithError("flush timed out");
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["dropped"] = static_cast<double>(monitor.dropped());
  state.counters["sink_errors"] = static_cast<double>(monitor.stats().sink_errors());
}

// A step's own thread: the record built and handed to the monitor, with `sinks` behind it (none,
// or every case that can run here). The flushes between batches are not timed.
void BM_StepThread(benchmark::State& state, bool all_sinks) {
  std::vector<MonitorSink> sinks;
  if (all_sinks) {
    for (const SinkCase& c : sink_cases()) {
      if (std::string(c.name) == "jsonl_rotating") continue;
      std::string why;
      auto sink = Environment::get().sink(c, why);
      if (!sink) {
        state.SkipWithError(("skipped: " + std::string(c.name) + ": " + why).c_str());
        return;
      }
      sinks.push_back({c.name, sink});
    }
  }
  const auto count = static_cast<double>(sinks.size());
  PerformanceMonitor monitor(std::move(sinks), {.queue_size = 1u << 20});
  int i = 0;
  for (auto _ : state) {
    monitor.record(sample(i++));
    if (i % 4096 == 0) {
      state.PauseTiming();
      if (!monitor.flush(std::chrono::seconds(60))) state.SkipWithError("flush timed out");
      state.ResumeTiming();
    }
  }
  if (!monitor.flush(std::chrono::seconds(60))) state.SkipWithError("flush timed out");
  state.counters["sinks"] = count;
  state.counters["dropped"] = static_cast<double>(monitor.dropped());
  state.counters["sink_errors"] = static_cast<double>(monitor.stats().sink_errors());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("BM_StepThread/no_sink", BM_StepThread, false);
  benchmark::RegisterBenchmark("BM_StepThread/all_four_sinks", BM_StepThread, true);
  for (const SinkCase& c : sink_cases()) {
    benchmark::RegisterBenchmark((std::string("BM_SinkRecord/") + c.name).c_str(), BM_SinkRecord,
                                 c);
    benchmark::RegisterBenchmark((std::string("BM_MonitorIntoSink/") + c.name).c_str(),
                                 BM_MonitorIntoSink, c)
        ->Arg(10000)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
