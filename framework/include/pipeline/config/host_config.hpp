// The host config: which plugins to load, named component instances with their settings, which
// provider serves each LLM step type. YAML, from --config FILE, $PIPELINE_CONFIG, or built in.
//
//   Diagnostics d;
//   HostConfig cfg = load_host_config("host.yaml", d);   // or HostConfig::builtin()
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/hybrid/fallback_config.hpp>
#include <pipeline/json.hpp>
#include <pipeline/monitor/metrics_config.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pipeline {

// A named instance of a component: `plugin` names the component; the rest is its create() config.
struct ComponentInstanceConfig {
  std::string name;
  std::string component;
  json::object settings;
  SourceLocation where;
};

struct HostConfig {
  std::string source = "<built-in>";  // file the config came from
  std::vector<std::filesystem::path> plugin_search_paths;
  std::vector<std::string> plugin_allowlist;  // empty: load every plugin found
  std::map<std::string, ComponentInstanceConfig> providers;
  // step type -> provider instance; "default" serves every other LLM step type
  std::map<std::string, std::string> step_providers;
  // step type -> config given to that step component's create()
  std::map<std::string, json::object> step_settings;
  // Sections owned by later layers (cache levels), kept as JSON.
  json::object cache;
  bool cache_is_builtin = true;  // no `cache:` section was given: the built-in levels apply
  // Metrics sinks and the history (typed at load time: its errors carry line and column).
  MetricsConfig metrics;
  // The fallback chain (hybrid/fallback_config.hpp); the built-in one when no section is given.
  FallbackConfig fallback = FallbackConfig::builtin();

  // Offline default: every LLM step type served by the `mock` provider; responses cached in
  // memory and in SQLite under the user's cache folder ($XDG_CACHE_HOME or ~/.cache)/pipeline;
  // step records kept in the SQLite history under $XDG_DATA_HOME (or ~/.local/share)/pipeline.
  static HostConfig builtin();
  // The built-in cache section (levels memory + sqlite).
  static json::object builtin_cache();
  // The provider instance serving `step_type` ("" when none is wired).
  std::string provider_for(const std::string& step_type) const;
};

// Loads and validates; problems go to `diags` (the returned config keeps what was valid).
HostConfig load_host_config(const std::filesystem::path& file, Diagnostics& diags);
// Parses a `host:` map (a host config file's root, or `workflow.host`) over `base`.
void apply_host_config(const YAML::Node& root, const std::string& file, HostConfig& base,
                       Diagnostics& diags);
// TEST_MODE=mock (pipeline_ex's convention): every step type served by a mock instance.
void force_mock_providers(HostConfig& cfg);

}  // namespace pipeline
