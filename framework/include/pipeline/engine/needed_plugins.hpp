// The plugin components one run uses: the config's providers and cache backends and the
// workflow's step types.
//
//   PluginNeeds needs = needed_plugins(cfg, &workflow);
//   auto rt = Runtime::create(cfg, diags, &needs);
#pragma once

#include <pipeline/config/host_config.hpp>
#include <pipeline/config/workflow.hpp>
#include <pipeline/plugins/plugin_needs.hpp>

namespace pipeline {

// `workflow` may be null (no workflow: everything is needed).
PluginNeeds needed_plugins(const HostConfig& cfg, const Workflow* workflow);

}  // namespace pipeline
