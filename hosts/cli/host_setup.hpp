// What run, validate and plugins share: finding the host config, loading workflow + plugins, and
// printing diagnostics.
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/host_config.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/engine/runtime.hpp>

#include <memory>
#include <optional>
#include <string>

namespace pipeline::cli {

// --config FILE, else $PIPELINE_CONFIG, else $XDG_CONFIG_HOME/pipeline/host.yaml (or
// ~/.config/...) when it exists, else the built-in offline default. TEST_MODE=mock forces mock.
HostConfig resolve_host_config(const std::string& config_flag, Diagnostics& diags);

struct LoadedWorkflow {
  std::optional<Workflow> workflow;
  std::unique_ptr<Runtime> runtime;
};

// Loads the workflow and the plugins and validates everything; every problem goes to diags.
// `extra`: components the command needs beyond the workflow's (an optimizer).
LoadedWorkflow load_and_validate(const std::string& workflow_file, const std::string& config_flag,
                                 Diagnostics& diags, const PluginNeeds* extra = nullptr);

// Prints diagnostics to stderr, errors first, and a count line.
void print_diagnostics(const Diagnostics& diags);
json::array diagnostics_json(const Diagnostics& diags);

// Logs go to stderr; PIPELINE_LOG (trace|debug|info|warn|error) sets the level.
void setup_logging(bool quiet);

// Gives the metrics sinks up to metrics.flush_timeout_ms to take the queued step records, stops
// the monitor, and reports on stderr what could not be delivered (drops, per-sink errors).
// Never a failure: a run's exit code does not depend on its metrics.
void finish_monitor(Runtime& rt);

// Bad input (usage, data, config) of a command: the message on stderr, and with --json also as
// {"success": false, "exit_code": 2, "error"} on stdout. Returns the exit code, kExitBadInput.
int report_bad_input(bool json, const std::string& message);

}  // namespace pipeline::cli
