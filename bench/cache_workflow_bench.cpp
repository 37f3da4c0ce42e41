// Cold run vs warm rerun of a 100-step workflow through the openai provider against the
// loopback mock LLM server (50 ms per reply), with the response cache on memory + SQLite.
// The warm rerun uses a new runtime (empty memory level), so its answers come from SQLite, as
// they would for a second `pipeline run`.
//   ./build/bench/cache_workflow_bench [steps=100] [latency_ms=50] [repetitions=3]
#include <mock_llm_server/mock_llm_server.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

using namespace pipeline;
namespace fs = std::filesystem;

namespace {

std::string workflow(int steps) {
  std::ostringstream y;
  y << "workflow:\n  name: hundred\n  steps:\n";
  for (int i = 0; i < steps; ++i) {
    y << "    - name: s" << i << "\n      type: claude\n      prompt:\n"
      << "        - type: static\n          content: \"question number " << i << "\"\n";
  }
  return y.str();
}

double run_once(const Workflow& wf, const std::string& base_url, const fs::path& db, int64_t* calls,
                int64_t* hits) {
  HostConfig cfg = HostConfig::builtin();
  cfg.plugin_allowlist = {"openai", "llm_steps", "cache_memory", "cache_sqlite"};
  cfg.providers.clear();
  cfg.providers["local"] = {
      "local", "openai", json::object{{"base_url", base_url + "/v1"}, {"model", "mock-model"}}, {}};
  cfg.step_providers = {{"default", "local"}};
  cfg.cache =
      json::parse(
          R"({"levels": [{"backend": "memory"}, {"backend": "sqlite", "config": {"path": ")" +
          db.string() + R"("}}]})")
          .as_object();
  cfg.cache_is_builtin = false;
  Diagnostics d;
  auto rt = Runtime::create(cfg, d);
  if (!rt->start(d) || d.has_errors()) {
    std::fprintf(stderr, "%s", d.format().c_str());
    std::exit(1);
  }
  auto t0 = std::chrono::steady_clock::now();
  RunResult r = Executor(*rt, {}).run(wf);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!r.success) {
    std::fprintf(stderr, "run failed: %s\n", r.error.c_str());
    std::exit(1);
  }
  *calls = r.totals.calls;
  *hits = r.totals.cache_hits;
  return ms;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int steps = argc > 1 ? std::atoi(argv[1]) : 100;
  int latency = argc > 2 ? std::atoi(argv[2]) : 50;
  int reps = argc > 3 ? std::atoi(argv[3]) : 3;
  spdlog::set_level(spdlog::level::err);
  testing::MockLlmServer::Options opts;
  opts.latency_ms = latency;
  opts.record_requests = false;
  testing::MockLlmServer server(opts);
  server.start();

  Diagnostics d;
  auto doc = load_yaml_string(workflow(steps), "hundred.yaml", d);
  auto wf = parse_workflow(*doc, "hundred.yaml", d);
  std::vector<double> cold, warm;
  for (int i = 0; i < reps; ++i) {
    fs::path db =
        fs::temp_directory_path() / ("pipeline-cache-bench-" + std::to_string(i) + ".sqlite");
    fs::remove(db);
    fs::remove(db.string() + "-wal");
    fs::remove(db.string() + "-shm");
    int64_t calls = 0, hits = 0;
    cold.push_back(run_once(*wf, server.base_url(), db, &calls, &hits));
    if (calls != steps || hits != 0)
      std::fprintf(stderr, "cold: %ld calls, %ld hits\n", (long)calls, (long)hits);
    warm.push_back(run_once(*wf, server.base_url(), db, &calls, &hits));
    if (calls != 0 || hits != steps)
      std::fprintf(stderr, "warm: %ld calls, %ld hits\n", (long)calls, (long)hits);
    fs::remove(db);
  }
  double c = median(cold), w = median(warm);
  std::printf("steps=%d latency_ms=%d repetitions=%d\n", steps, latency, reps);
  std::printf("cold run  (median): %10.2f ms  (%.2f ms/step)\n", c, c / steps);
  std::printf("warm rerun (median): %10.2f ms  (%.3f ms/step)\n", w, w / steps);
  std::printf("speed-up: %.1fx (target >= 50x)\n", c / w);
  server.stop();
  return 0;
}
