// for_loop over N items (set_variable body) through the real plugins and the executor service.
// Reports time per item; the fitted complexity must be O(N).
//
//   ./build/bench/bm_for_loop --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace pipeline;

void BM_ForLoop(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  const auto n = static_cast<int>(state.range(0));
  fs::path file = fs::temp_directory_path() / "bm_for_loop.yaml";
  std::ofstream(file) << R"(workflow:
  name: bm
  steps:
    - name: init
      type: set_variable
      variables: {n: 0}
    - name: each
      type: for_loop
      iterator: x
      data_source: inputs.items
      steps:
        - name: count
          type: set_variable
          variables: {n: "{{state.n + 1}}"}
)";
  HostConfig cfg = HostConfig::builtin();
  cfg.plugin_search_paths = {PIPELINE_PLUGIN_DIR};
  cfg.metrics = {};  // no history file: the benchmark measures the loop
  Diagnostics d;
  auto rt = Runtime::create(cfg, d);
  rt->start(d);
  auto wf = load_workflow(file, d);
  json::array items;
  for (int i = 0; i < n; ++i) items.emplace_back(i);
  for (auto _ : state) {
    ExecutorOptions opts;
    opts.inputs["items"] = items;
    Executor ex(*rt, std::move(opts));
    RunResult r = ex.run(*wf);
    if (!r.success) state.SkipWithError(r.error.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetComplexityN(n);
}
BENCHMARK(BM_ForLoop)
    ->Arg(1000)
    ->Arg(2500)
    ->Arg(5000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

}  // namespace

BENCHMARK_MAIN();
