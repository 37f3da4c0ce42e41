// The host config's `metrics:` section, typed (docs/config.md, "Metrics"): named sink instances
// like providers, which of them is the history the router reads, the monitor's queue size.
//
//   metrics:
//     sinks:
//       history: {plugin: sqlite, path: /var/lib/pipeline/history.sqlite, retention_days: 30}
//       audit:   {plugin: jsonl, path: audit.jsonl}
//     history: history
//     queue_size: 10000
//
// Without a `metrics:` section the built-in default applies: one sqlite sink named `history`
// at $XDG_DATA_HOME/pipeline/history.sqlite (else ~/.local/share/pipeline/history.sqlite).
//
//   MetricsConfig m = parse_metrics_config(node, "host.yaml", diags);  // errors at file:line:col
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/json.hpp>

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace pipeline {

// A named metrics-sink instance: `plugin` names the component; the rest is its create() config.
struct MetricsSinkConfig {
  std::string name;
  std::string component;
  json::object settings;
  SourceLocation where;
};

struct MetricsConfig {
  std::map<std::string, MetricsSinkConfig> sinks;
  // The sink whose query side the router and `pipeline compare` read; empty: none (the runtime
  // keeps the history of its own runs in memory).
  std::string history;
  std::size_t queue_size = 10000;
  // How long `pipeline run` waits at exit for the sinks to take what is queued.
  std::int64_t flush_timeout_ms = 2000;
  bool builtin = true;  // no `metrics:` section: the built-in default
  SourceLocation where;

  // One sqlite sink named `history`, at default_history_path(), used as the history.
  static MetricsConfig builtin_default();
  // $XDG_DATA_HOME/pipeline/history.sqlite, else ~/.local/share/pipeline/history.sqlite.
  static std::filesystem::path default_history_path();
};

// Parses a `metrics:` map. Problems go to `diags` at their line and column; what was valid is
// kept (an invalid sink is left out).
MetricsConfig parse_metrics_config(const YAML::Node& node, const std::string& file,
                                   Diagnostics& diags);

}  // namespace pipeline
