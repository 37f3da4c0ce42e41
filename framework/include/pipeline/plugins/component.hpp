// A component registered by a plugin: its metadata and a copy of its vtable, zero-filled up to the
// host's vtable size so members the plugin's (older) ABI minor does not know read as NULL.
#pragma once

#include <pipeline/plugin.h>
#include <pipeline/plugins/plugin_library.hpp>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

namespace pipeline {

// "step", "provider", "optimizer", "cache", "metrics_sink" (or "unknown").
std::string component_kind_name(uint32_t kind);

class Component {
 public:
  // `host` is the API table given to this library; `keep_alive` owns it (and the library), so a
  // component, and every instance made from it, keeps both valid for as long as it exists.
  Component(const pl_component_header& header, std::size_t host_vtable_size,
            std::shared_ptr<PluginLibrary> library, const pl_host_api* host,
            std::shared_ptr<const void> keep_alive);

  uint32_t kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& description() const { return description_; }
  const std::string& config_schema() const { return config_schema_; }
  uint32_t flags() const { return flags_; }
  bool concurrent() const { return (flags_ & PL_FLAG_CONCURRENT) != 0; }
  // The size the plugin declared; smaller than the host's for a plugin of an older minor.
  uint32_t declared_size() const { return declared_size_; }
  const std::shared_ptr<PluginLibrary>& library() const { return library_; }
  const pl_host_api* host_api() const { return host_; }
  const pl_component_header& header() const { return vtable<pl_component_header>(); }

  template <class VTable>
  const VTable& vtable() const {
    static_assert(sizeof(VTable) <= kMaxVTableSize);
    return *reinterpret_cast<const VTable*>(storage_);
  }

  static constexpr std::size_t kMaxVTableSize = 256;

 private:
  alignas(std::max_align_t) unsigned char storage_[kMaxVTableSize] = {};
  uint32_t kind_;
  uint32_t flags_;
  uint32_t declared_size_;
  std::string name_, version_, description_, config_schema_;
  std::shared_ptr<PluginLibrary> library_;
  const pl_host_api* host_;
  std::shared_ptr<const void> keep_alive_;
};

}  // namespace pipeline
