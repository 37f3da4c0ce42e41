#include <pipeline/engine/needed_plugins.hpp>

#include <pipeline/plugin.h>

namespace pipeline {

namespace {

// Step types are the `type` of maps listed in sequences (steps, sub-steps, tasks), except the
// prompt parts. A `type` that is not a step (a schema's anyOf entry) only costs a full load.
void collect_steps(const json::value& node, bool in_list, PluginNeeds& needs) {
  if (node.is_object()) {
    for (const auto& kv : node.get_object()) {
      const std::string_view key = kv.key();
      if (key == "pipeline_file" || key == "pipeline") needs.everything = true;
      if (key == "type" && in_list && kv.value().is_string()) {
        needs.components.insert({PL_KIND_STEP, std::string(kv.value().get_string())});
      }
      if (key == "prompt") continue;
      collect_steps(kv.value(), false, needs);
    }
  } else if (node.is_array()) {
    for (const auto& item : node.get_array()) collect_steps(item, true, needs);
  }
}

}  // namespace

PluginNeeds needed_plugins(const HostConfig& cfg, const Workflow* workflow) {
  PluginNeeds needs;
  if (workflow == nullptr) needs.everything = true;
  for (const auto& [name, inst] : cfg.providers)
    needs.components.insert({PL_KIND_PROVIDER, inst.component});
  for (const auto& [name, sink] : cfg.metrics.sinks)
    needs.components.insert({PL_KIND_METRICS_SINK, sink.component});
  if (const auto* levels = cfg.cache.if_contains("levels"); levels && levels->is_array()) {
    for (const auto& level : levels->get_array()) {
      if (!level.is_object()) continue;
      if (const auto* b = level.get_object().if_contains("backend"); b && b->is_string()) {
        needs.components.insert({PL_KIND_CACHE, std::string(b->get_string())});
      }
    }
  }
  if (workflow != nullptr) collect_steps(workflow->raw, false, needs);
  return needs;
}

}  // namespace pipeline
