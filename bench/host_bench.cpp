// Host benchmarks: a provider call through the ABI, host overhead per step, start-up time.
//   ./build/bench/host_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "process.hpp"

#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/plugins/plugin_host.hpp>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace {

using namespace pipeline;

std::string request_of_size(std::size_t bytes) {
  std::string content(bytes > 64 ? bytes - 64 : 1, 'x');
  return R"({"model":"m","messages":[{"role":"user","content":")" + content + R"("}]})";
}

// 1 KB request, 1 KB response: the ABI crossing alone (the plugin copies bytes, nothing else).
void BM_ProviderCallThroughAbi(benchmark::State& state) {
  PluginHost host;
  if (!host.load_file(std::string(PIPELINE_BENCH_PLUGIN_DIR) + "/libpipeline_bench_echo.so").ok()) {
    state.SkipWithError("cannot load bench_echo");
    return;
  }
  auto provider = host.create_provider("bench_echo");
  std::string req = request_of_size(1024);
  CallContext ctx;
  for (auto _ : state) {
    CallResult r = (*provider)->complete(req, ctx);
    benchmark::DoNotOptimize(r.body.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size() * 2));
}
BENCHMARK(BM_ProviderCallThroughAbi);

// The same through the mock provider (JSON parse + reply build): what a real plugin adds.
void BM_MockProviderCall(benchmark::State& state) {
  PluginHost host;
  if (!host.load_file(std::string(PIPELINE_PLUGIN_DIR) + "/libpipeline_mock.so").ok()) {
    state.SkipWithError("cannot load mock");
    return;
  }
  auto provider =
      host.create_provider("mock", R"({"default_reply":")" + std::string(1000, 'y') + "\"}");
  std::string req = request_of_size(1024);
  CallContext ctx;
  for (auto _ : state) {
    CallResult r = (*provider)->complete(req, ctx);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_MockProviderCall);

std::string thousand_step_workflow() {
  std::ostringstream y;
  y << "workflow:\n  name: thousand\n  steps:\n";
  for (int i = 0; i < 1000; ++i) {
    if (i % 2 == 0) {
      y << "    - name: s" << i << "\n      type: set_variable\n      variables: {v" << i
        << ": \"{{ " << i << " + 1 }}\"}\n";
    } else {
      y << "    - name: s" << i << "\n      type: claude\n      prompt:\n"
        << "        - type: static\n          content: \"step " << i << " after {{v" << i - 1
        << "}}\"\n";
    }
  }
  return y.str();
}

// Host overhead per step: 1,000 steps (set_variable and mock LLM steps, 0 ms latency).
void BM_HostOverheadPerStep(benchmark::State& state) {
  spdlog::set_level(spdlog::level::err);
  Diagnostics d;
  auto doc = load_yaml_string(thousand_step_workflow(), "thousand.yaml", d);
  auto wf = parse_workflow(*doc, "thousand.yaml", d);
  HostConfig cfg = HostConfig::builtin();
  cfg.plugin_allowlist = {"mock", "llm_steps", "core_steps"};
  auto rt = Runtime::create(cfg, d);
  rt->start(d);
  if (d.has_errors()) {
    state.SkipWithError(d.format().c_str());
    return;
  }
  for (auto _ : state) {
    Executor ex(*rt, {});
    RunResult r = ex.run(*wf);
    if (!r.success) state.SkipWithError(r.error.c_str());
    benchmark::DoNotOptimize(r.results.size());
  }
  state.counters["us_per_step"] = benchmark::Counter(
      1000.0 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_HostOverheadPerStep)->Unit(benchmark::kMillisecond);

void run_binary(benchmark::State& state, std::vector<std::string> args) {
  args.insert(args.begin(), PIPELINE_BINARY);
  for (auto _ : state) {
    auto r = testing::run_process(args, {{"PIPELINE_CONFIG", ""}, {"TEST_MODE", ""}},
                                  PIPELINE_SOURCE_DIR);
    if (r.exit_code != 0) state.SkipWithError(r.err.c_str());
  }
}

void BM_StartupVersion(benchmark::State& state) {
  run_binary(state, {"--version"});
}
BENCHMARK(BM_StartupVersion)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StartupRunHello(benchmark::State& state) {
  run_binary(state,
             {"run", "examples/hello.yaml", "-q", "--output-dir", "/tmp/pipeline-bench-out"});
}
BENCHMARK(BM_StartupRunHello)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
