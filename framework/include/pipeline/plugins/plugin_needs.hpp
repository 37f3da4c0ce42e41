// The components one run uses, so the host opens only their libraries (through each plugin
// folder's plugins.manifest.json); needed_plugins() in engine/ computes it for a run.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>

namespace pipeline {

struct PluginNeeds {
  std::set<std::pair<uint32_t, std::string>> components;  // (PL_KIND_*, name)
  // The needs cannot be known from the files alone (a nested pipeline_file):
  // every plugin is loaded, as without a manifest.
  bool everything = false;
};

}  // namespace pipeline
