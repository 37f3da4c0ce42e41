#include "host_setup.hpp"

#include "commands.hpp"

#include <pipeline/config/yaml_json.hpp>
#include <pipeline/engine/workflow_validator.hpp>
#include <pipeline/util/utf8.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace pipeline::cli {

namespace fs = std::filesystem;

HostConfig resolve_host_config(const std::string& config_flag, Diagnostics& diags) {
  std::string file = config_flag;
  if (file.empty()) {
    if (const char* env = std::getenv("PIPELINE_CONFIG"); env && *env) file = env;
  }
  if (file.empty()) {
    fs::path base;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
      base = xdg;
    else if (const char* home = std::getenv("HOME"); home && *home)
      base = fs::path(home) / ".config";
    std::error_code ec;
    if (!base.empty() && fs::exists(base / "pipeline" / "host.yaml", ec)) {
      file = (base / "pipeline" / "host.yaml").string();
    }
  }
  HostConfig cfg = file.empty() ? HostConfig::builtin() : load_host_config(file, diags);
  if (const char* mode = std::getenv("TEST_MODE"); mode && std::string(mode) == "mock") {
    force_mock_providers(cfg);
  }
  return cfg;
}

LoadedWorkflow load_and_validate(const std::string& workflow_file, const std::string& config_flag,
                                 Diagnostics& diags, const PluginNeeds* extra) {
  LoadedWorkflow out;
  HostConfig cfg = resolve_host_config(config_flag, diags);
  auto doc = load_yaml_file(workflow_file, diags);
  if (doc) out.workflow = parse_workflow(*doc, workflow_file, diags);
  // workflow.host overrides the host config; read while the YAML (and its locations) is at hand.
  const YAML::Node host = out.workflow ? (*doc)["workflow"]["host"] : YAML::Node();
  if (out.workflow && host.IsDefined()) {
    apply_host_config(host, workflow_file, cfg, diags);
    if (const char* mode = std::getenv("TEST_MODE"); mode && std::string(mode) == "mock") {
      force_mock_providers(cfg);
    }
  }
  // Open only the plugin libraries this workflow and config use (see PluginManifest).
  PluginNeeds needs = needed_plugins(cfg, out.workflow ? &*out.workflow : nullptr);
  if (extra != nullptr) {
    needs.components.insert(extra->components.begin(), extra->components.end());
    needs.everything = needs.everything || extra->everything;
  }
  out.runtime = Runtime::create(std::move(cfg), diags, &needs);
  if (out.workflow) {
    validate_workflow(*out.workflow, out.runtime->config(), out.runtime->plugins(), diags);
  }
  return out;
}

void print_diagnostics(const Diagnostics& diags) {
  if (diags.items().empty()) return;
  std::cerr << diags.format();
  if (diags.has_errors()) {
    std::cerr << diags.error_count() << " error(s), " << diags.warning_count() << " warning(s)\n";
  }
}

json::array diagnostics_json(const Diagnostics& diags) {
  json::array out;
  for (const auto& d : diags.ordered()) {
    json::object o{{"severity", d.severity == Diagnostic::Severity::kError ? "error" : "warning"},
                   {"file", d.where.file}};
    // An unknown position is left out rather than reported as line 0.
    if (d.where.line > 0) o["line"] = d.where.line;
    if (d.where.column > 0) o["column"] = d.where.column;
    o["message"] = d.message;
    out.push_back(std::move(o));
  }
  return out;
}

void finish_monitor(Runtime& rt) {
  PerformanceMonitor* monitor = rt.monitor();
  if (monitor == nullptr) return;
  (void)monitor->flush(std::chrono::milliseconds(rt.config().metrics.flush_timeout_ms));
  monitor->close();
  const MonitorStats s = monitor->stats();
  if (s.dropped > 0) {
    std::cerr << "metrics: " << s.dropped
              << " step record(s) dropped (the metrics sinks were slower than the steps, or did "
                 "not take them within metrics.flush_timeout_ms = "
              << rt.config().metrics.flush_timeout_ms << " ms)\n";
  }
  for (const auto& sink : s.sinks) {
    if (sink.errors == 0) continue;
    std::cerr << "metrics: sink '" << sink.name << "': " << sink.errors
              << " failed call(s); last: " << sink.last_error << "\n";
  }
}

void setup_logging(bool quiet) {
  auto logger = spdlog::stderr_color_mt("pipeline");
  logger->set_pattern("%^[%l]%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(quiet ? spdlog::level::warn : spdlog::level::info);
  if (const char* lvl = std::getenv("PIPELINE_LOG"); lvl && *lvl) {
    spdlog::set_level(spdlog::level::from_str(lvl));
  }
}

int report_bad_input(bool json, const std::string& message) {
  if (json)
    std::cout << valid_utf8(json::serialize(json::object{
                     {"success", false}, {"exit_code", kExitBadInput}, {"error", message}}))
              << std::endl;
  std::cerr << "error: " << message << "\n";
  return kExitBadInput;
}

}  // namespace pipeline::cli
