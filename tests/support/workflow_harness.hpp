// Test harness: loads a workflow from a YAML string with the real loader, the real plugins
// (shipped ones plus test fixtures) and the real executor.
#pragma once

#include <pipeline/config/host_config.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/config/yaml_json.hpp>
#include <pipeline/engine/executor.hpp>
#include <pipeline/engine/runtime.hpp>
#include <pipeline/engine/workflow_validator.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pipeline::testing {

// Shipped plugins plus the misbehaving fixtures; the built-in mock wiring.
inline HostConfig test_host_config() {
  HostConfig cfg = HostConfig::builtin();
  cfg.plugin_search_paths = {PIPELINE_PLUGIN_DIR, PIPELINE_TEST_PLUGIN_DIR};
  cfg.plugin_allowlist = {"mock", "llm_steps", "core_steps", "fixture_misbehaving"};
  cfg.cache = json::object{{"mode", "off"}};  // hermetic: no shared cache between tests
  cfg.metrics = {};                           // nor a shared history: records stay in memory
  return cfg;
}

struct Loaded {
  Diagnostics diags;
  std::optional<Workflow> workflow;
  std::unique_ptr<Runtime> runtime;
};

inline std::unique_ptr<Loaded> load(const std::string& yaml, HostConfig cfg = test_host_config(),
                                    const std::string& name = "test.yaml") {
  auto out = std::make_unique<Loaded>();
  auto doc = load_yaml_string(yaml, name, out->diags);
  if (doc) out->workflow = parse_workflow(*doc, name, out->diags);
  out->runtime = Runtime::create(std::move(cfg), out->diags);
  if (out->workflow) {
    validate_workflow(*out->workflow, out->runtime->config(), out->runtime->plugins(), out->diags);
  }
  return out;
}

// Loads, starts and runs; the workflow must be valid.
inline RunResult run(const std::string& yaml, ExecutorOptions opts = {},
                     HostConfig cfg = test_host_config()) {
  auto l = load(yaml, std::move(cfg));
  if (l->diags.has_errors() || !l->workflow) {
    RunResult r;
    r.success = false;
    r.error = "invalid workflow:\n" + l->diags.format();
    return r;
  }
  Diagnostics start;
  if (!l->runtime->start(start)) {
    RunResult r;
    r.success = false;
    r.error = "start failed:\n" + start.format();
    return r;
  }
  Executor ex(*l->runtime, std::move(opts));
  return ex.run(*l->workflow);
}

}  // namespace pipeline::testing
