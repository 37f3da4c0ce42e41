// Checks a loaded workflow against what is loaded: step types exist (else the list of known ones),
// previous_response names an earlier step, conditions parse, and each step plugin's own validate().
#pragma once

#include <pipeline/config/diagnostics.hpp>
#include <pipeline/config/host_config.hpp>
#include <pipeline/config/workflow.hpp>

namespace pipeline {

class PluginHost;

void validate_workflow(const Workflow& wf, const HostConfig& host_config, PluginHost& plugins,
                       Diagnostics& diags);

}  // namespace pipeline
