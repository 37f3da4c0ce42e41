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
// reported as skipped. To add a sink (prometheus, postgres), add its entry.
#include <pipeline/monitor/performance_monitor.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <benchmark/benchmark.h>

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
  StepRecord r;
  r.workflow = "bench";
  r.step = "step" + std::to_string(i % 8);
  r.run_id = "0123456789abcdef";
  r.episode = r.run_id;
  r.mode = "hybrid";
  r.variant = i % 2 ? "dspy_optimized" : "traditional";
  r.signature_hash = "5f3c9a1e0b7d2468";
  r.provider = "mock";
  r.model = "mock-1";
  r.latency_ms = 12.5;
  r.input_tokens = 120;
  r.output_tokens = 30;
  r.cost_usd = 0.0004;
  r.quality = 0.8;
  r.metric = "exact_match";
  static const std::int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  r.unix_ms = base + i;
  return r;
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

}  // namespace

int main(int argc, char** argv) {
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
