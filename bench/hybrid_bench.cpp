// What the hybrid layer adds per step: the same 1,000-step workflow (set_variable and mock
// `claude` steps with a signature, 0 ms provider latency) run three ways in one process, side by
// side: traditional with no monitor (the host's own overhead), traditional with the monitor
// recording into a sqlite history, and hybrid (the router reading the history, the hybrid
// strategy, the monitor). The difference of the per-step figures is the routing and monitoring
// overhead.
//   ./build/bench/hybrid_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/dspy/program_steps.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/hybrid/hybrid_strategy.hpp>
#include <pipeline/hybrid/step_result_cache.hpp>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>

namespace {

using namespace pipeline;

std::string thousand_step_workflow() {
  std::ostringstream y;
  y << "workflow:\n  name: thousand_hybrid\n  hybrid_config: {intelligent_routing: true}\n"
    << "  steps:\n";
  for (int i = 0; i < 1000; ++i) {
    if (i % 2 == 0) {
      y << "    - name: s" << i << "\n      type: set_variable\n      variables: {v" << i
        << ": \"{{ " << i << " + 1 }}\"}\n";
    } else {
      y << "    - name: s" << i << "\n      type: claude\n      prompt:\n"
        << "        - type: static\n          content: \"step " << i << " after {{v" << i - 1
        << "}}\"\n      signature:\n        instructions: Answer.\n"
        << "        input_fields: [{name: q, type: str, template: \"{{v" << i - 1 << "}}\"}]\n"
        << "        output_fields: [{name: a, type: str}]\n";
    }
  }
  return y.str();
}

enum class Way { kTraditionalNoMonitor, kTraditionalMonitored, kHybrid };

void run_way(benchmark::State& state, Way way) {
  spdlog::set_level(spdlog::level::err);
  Diagnostics d;
  auto doc = load_yaml_string(thousand_step_workflow(), "thousand.yaml", d);
  auto wf = parse_workflow(*doc, "thousand.yaml", d);
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("pipeline-hybrid-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  HostConfig cfg = HostConfig::builtin();
  cfg.plugin_allowlist = {"mock", "llm_steps", "core_steps", "metrics_sqlite"};
  cfg.cache = json::object{};  // no response cache: every call reaches the mock
  cfg.cache_is_builtin = false;
  if (way == Way::kTraditionalNoMonitor) {
    cfg.metrics = {};
  } else {
    cfg.metrics = MetricsConfig::builtin_default();
    cfg.metrics.sinks.begin()->second.settings["path"] = (dir / "history.sqlite").string();
  }
  auto rt = Runtime::create(cfg, d);
  rt->start(d);
  if (d.has_errors()) {
    state.SkipWithError(d.format().c_str());
    return;
  }
  dspy::ProgramSteps programs(rt->completion());
  std::unique_ptr<HybridStrategy> hybrid;
  if (way == Way::kHybrid) {
    hybrid = std::make_unique<HybridStrategy>(
        HybridStrategy::Parts{.runtime = *rt,
                              .run_mode = ExecutionMode::kHybrid,
                              .programs = programs,
                              .gaps = {},
                              .history = rt->history(),
                              .chain = &rt->fallback_chain(),
                              .cached_responses = std::make_shared<StepResultCache>(rt->cache()),
                              .workflow = wf->name,
                              .episode = {},
                              .record_extra = {}});
  }
  for (auto _ : state) {
    ExecutorOptions opts;
    if (hybrid)
      opts.choose_strategy = [&](const StepConfig&) -> StepStrategy* { return hybrid.get(); };
    Executor ex(*rt, std::move(opts));
    RunResult r = ex.run(*wf);
    if (!r.success) state.SkipWithError(r.error.c_str());
    benchmark::DoNotOptimize(r.results.size());
  }
  state.counters["us_per_step"] = benchmark::Counter(
      1000.0 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  if (auto* m = rt->monitor()) {
    m->flush(std::chrono::seconds(10));
    state.counters["dropped"] = static_cast<double>(m->dropped());
  }
  std::filesystem::remove_all(dir);
}

void BM_StepTraditionalNoMonitor(benchmark::State& s) {
  run_way(s, Way::kTraditionalNoMonitor);
}
void BM_StepTraditionalMonitored(benchmark::State& s) {
  run_way(s, Way::kTraditionalMonitored);
}
void BM_StepHybridRoutedMonitored(benchmark::State& s) {
  run_way(s, Way::kHybrid);
}
BENCHMARK(BM_StepTraditionalNoMonitor)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StepTraditionalMonitored)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StepHybridRoutedMonitored)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
