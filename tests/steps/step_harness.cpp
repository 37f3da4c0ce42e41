#include "step_harness.hpp"

#include <fstream>
#include <random>

namespace pipeline::testing {

namespace fs = std::filesystem;

TempDir::TempDir() : previous_(fs::current_path()) {
  std::random_device rd;
  path_ =
      fs::temp_directory_path() / ("pipeline_steps_" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(path_);
  fs::current_path(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::current_path(previous_, ec);
  fs::remove_all(path_, ec);
}

StepHarness::StepHarness(json::object mock_settings) {
  HostConfig cfg = HostConfig::builtin();
  cfg.plugin_search_paths = {PIPELINE_PLUGIN_DIR};
  cfg.providers["mock"].settings = std::move(mock_settings);
  cfg.cache = json::object{{"mode", "off"}};  // hermetic: step tests count provider calls
  cfg.metrics = {};                           // and no history file: records stay in memory
  Diagnostics d;
  runtime_ = Runtime::create(std::move(cfg), d);
  EXPECT_TRUE(runtime_->start(d)) << d.format();
  EXPECT_FALSE(d.has_errors()) << d.format();
}

Diagnostics StepHarness::check(const std::string& yaml, const std::string& file) {
  {
    std::ofstream out(file);
    out << yaml;
  }
  Diagnostics d;
  auto wf = load_workflow(file, d);
  if (wf) validate_workflow(*wf, runtime_->config(), runtime_->plugins(), d);
  return d;
}

Workflow StepHarness::load(const std::string& yaml, const std::string& file) {
  {
    std::ofstream out(file);
    out << yaml;
  }
  Diagnostics d;
  auto wf = load_workflow(file, d);
  EXPECT_TRUE(wf.has_value()) << d.format();
  if (wf) validate_workflow(*wf, runtime_->config(), runtime_->plugins(), d);
  EXPECT_FALSE(d.has_errors()) << d.format();
  return wf ? std::move(*wf) : Workflow{};
}

RunResult StepHarness::run(const Workflow& wf, ExecutorOptions options) {
  Executor ex(*runtime_, std::move(options));
  return ex.run(wf);
}

const json::value& result_of(const RunResult& r, const std::string& step) {
  static const json::value kNull;
  const json::value* v = r.results.if_contains(step);
  return v ? *v : kNull;
}

}  // namespace pipeline::testing
