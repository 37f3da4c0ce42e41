// plugins.manifest.json: what each library in one plugin folder provides (plugin name, component
// kinds and names), so a run opens only the libraries of the components it uses instead of all
// of them. Written at build and install time (`pipeline plugins --write-manifest DIR`); a
// manifest older than any library in its folder, or not listing one, is stale and ignored (the
// folder is scanned as before).
//
//   if (auto m = PluginManifest::read_fresh(dir)) for (auto& e : m->entries) ...;
#pragma once

#include <pipeline/status.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pipeline {

class PluginHost;

struct PluginManifest {
  static constexpr const char* kFileName = "plugins.manifest.json";

  struct Entry {
    std::string file;  // file name inside the folder
    std::string plugin;
    std::vector<std::pair<uint32_t, std::string>> components;  // (PL_KIND_*, name)
    bool refused = false;  // the library did not load when the manifest was written
  };
  std::vector<Entry> entries;

  // The folder's manifest when it is fresh: present, parseable, newer than every
  // libpipeline_*.so in the folder and listing each of them. Otherwise nullopt.
  static std::optional<PluginManifest> read_fresh(const std::filesystem::path& dir);
  // Loads every library in `dir` into a scratch host and writes the folder's manifest
  // (atomically: a temporary file renamed over the old one).
  static Status write_for(const std::filesystem::path& dir);
};

}  // namespace pipeline
