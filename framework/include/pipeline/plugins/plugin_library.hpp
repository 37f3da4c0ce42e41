// One loaded plugin shared library: its query metadata and its entry points.
//
//   auto lib = PluginLibrary::open("/usr/lib/pipeline/plugins/libpipeline_mock.so");
//   if (lib) (*lib)->info().name;
// Loading reads the query symbol first and checks the ABI major/minor before anything else runs.
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/status.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace pipeline {

struct PluginInfo {
  std::string name;
  std::string version;
  std::string description;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::filesystem::path file;
};

class PluginLibrary {
 public:
  // Loads with RTLD_NOW | RTLD_LOCAL, reads and checks the query metadata. Errors name the file.
  static Result<std::shared_ptr<PluginLibrary>> open(const std::filesystem::path& file);

  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const PluginInfo& info() const { return info_; }
  pl_init_fn init_fn() const { return init_; }
  // Called by the host once every instance from this library is gone.
  void mark_initialized() { initialized_ = true; }

 private:
  struct Handle;
  explicit PluginLibrary(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
  PluginInfo info_;
  pl_init_fn init_ = nullptr;
  pl_shutdown_fn shutdown_ = nullptr;
  bool initialized_ = false;
};

}  // namespace pipeline
